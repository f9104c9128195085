package render

// View is what every page template receives.
type View struct {
	Brand     Brand
	Title     string // the page's own title; the layout appends the brand
	RequestID string
	// Data is the page's own data.
	Data any
	// Menu is the tenant's navigation menu; empty shows the default links.
	Menu []MenuLink
	// Slot is set while a page is rendered for a cache (Page.ExecuteSplit): the
	// layout then writes a marker where the per-request part goes instead of
	// that part itself.
	Slot bool
}

// MenuLink is one link of the navigation menu.
type MenuLink struct {
	Label, Href string
}

// Brand is the tenant as the layout shows it.
type Brand struct {
	Name     string
	LogoURL  string // empty when the tenant has no logo
	ThemeURL string // the tenant's colour stylesheet
}
