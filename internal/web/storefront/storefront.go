// Package storefront is the public shop: the home page, the catalog with search,
// product pages, categories and landing pages. One file per action; routes in
// routes.go. Everything here is public and non-personal, so whole pages are
// cached by catalog version (cache.go) with a per-request slot for what later
// becomes personal (cart count, signed-in name).
package storefront

import (
	"github.com/salvehealth/salve/internal/cart"
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
	cart    *render.Page
	// carts is the browser carts; the cart holds no person, so it is served
	// here, by the storefront, without the PHI store. In a process that has
	// the PHI store, it also mirrors a signed-in patient's changes to their
	// saved cart (cart.Mirror); the storefront itself never sees that.
	carts       *cart.Service
	cartCookies web.CartCookies
}

// New builds the storefront handlers; a missing template fails here.
func New(site *web.Site, svc *catalog.Service, cache *web.Cache, carts *cart.Service, cookies web.CartCookies) (*Handlers, error) {
	h := &Handlers{site: site, catalog: svc, cache: cache, carts: carts, cartCookies: cookies}
	if err := site.Pages(map[string]**render.Page{
		"storefront/home": &h.home, "storefront/products": &h.list,
		"storefront/product": &h.product, "storefront/landing": &h.landing, "storefront/cart": &h.cart,
	}); err != nil {
		return nil, err
	}
	return h, nil
}
