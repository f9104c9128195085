package render

// View is what every page template receives.
type View struct {
	Brand     Brand
	Title     string // the page's own title; the layout appends the brand
	RequestID string
	// Viewer is who is looking, for the navigation; the zero value is a
	// visitor who is not signed in.
	Viewer Viewer
	// Data is the page's own data.
	Data any
	// Menu is the tenant's navigation menu; empty shows the default links.
	Menu []MenuLink
	// Legal are the tenant's legal pages for the footer (privacy notice,
	// contact, terms), those it has published.
	Legal []MenuLink
	// Slot is set while a page is rendered for a cache (Page.ExecuteSplit): the
	// layout then writes a marker where the per-request part goes instead of
	// that part itself.
	Slot bool
}

// MenuLink is one link of the navigation menu.
type MenuLink struct {
	Label, Href string
}

// Viewer is what the layout needs to know about the person signed in: never
// who they are (no PHI in the layout), only what to offer.
type Viewer struct {
	SignedIn bool
	// Patient offers the patient's own pages (orders, lists).
	Patient bool
	Staff   bool
	Admin   bool
	// Orders offers the staff order queue (customer service, pharmacists,
	// fulfillment).
	Orders bool
	// Work is the staff menu of the viewer's role: the pages their role may
	// open, after the staff home. Empty for patients and visitors.
	Work []MenuLink
	// Brands are the brand switcher's choices for a member of staff with an
	// organisation-level role (issue 20 point 4); empty for everyone else.
	Brands []BrandOption
}

// BrandOption is one brand of the brand switcher.
type BrandOption struct {
	ID, Name string
	Current  bool
}

// FormState is what a form template needs from the page's form: the values to
// show again and the error of each field.
type FormState interface {
	Value(name string) string
	Error(name string) string
}

// Field is one labelled input, rendered by the "field" partial.
type Field struct {
	Name, Label, Type, Autocomplete, Hint string
	Value, Error                          string
	Optional                              bool
}

// Brand is the tenant as the layout shows it.
type Brand struct {
	Name     string
	LogoURL  string // empty when the tenant has no logo
	ThemeURL string // the tenant's colour stylesheet
	Footer   string // the brand's footer line, set or inherited; may be empty
}
