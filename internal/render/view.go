package render

// View is what every page template receives.
type View struct {
	Brand     Brand
	Title     string // the page's own title; the layout appends the brand
	RequestID string
	// Data is the page's own data.
	Data any
}

// Brand is the tenant as the layout shows it.
type Brand struct {
	Name     string
	LogoURL  string // empty when the tenant has no logo
	ThemeURL string // the tenant's colour stylesheet
}
