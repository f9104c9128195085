// Package storefront is the public shop: the home page now, the catalog, search
// and cart as they arrive. One file per action; routes in routes.go.
package storefront

import (
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/web"
)

// Handlers serves the storefront.
type Handlers struct {
	site *web.Site
	home *render.Page
}

// New builds the storefront handlers; a missing template fails here.
func New(site *web.Site) (*Handlers, error) {
	home, err := site.Engine().Page("storefront/home")
	if err != nil {
		return nil, err
	}
	return &Handlers{site: site, home: home}, nil
}
