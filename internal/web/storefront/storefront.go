// Package storefront is the public shop: the home page, the catalog with search,
// product pages, categories and landing pages. One file per action; routes in
// routes.go. Everything here is public and non-personal, so whole pages are
// cached by catalog version (cache.go) with a per-request slot for what later
// becomes personal (cart count, signed-in name).
package storefront

import (
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/web"
)

// Handlers serves the storefront.
type Handlers struct {
	site    *web.Site
	catalog *catalog.Service
	cache   *web.Cache
	home    *render.Page
	list    *render.Page
	product *render.Page
	landing *render.Page
}

// New builds the storefront handlers; a missing template fails here.
func New(site *web.Site, svc *catalog.Service, cache *web.Cache) (*Handlers, error) {
	h := &Handlers{site: site, catalog: svc, cache: cache}
	for name, p := range map[string]**render.Page{
		"storefront/home": &h.home, "storefront/products": &h.list,
		"storefront/product": &h.product, "storefront/landing": &h.landing,
	} {
		page, err := site.Engine().Page(name)
		if err != nil {
			return nil, err
		}
		*p = page
	}
	return h, nil
}
