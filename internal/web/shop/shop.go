// Package shop is the surface of visitors and buyers: the home page, the
// catalog with search, product pages, categories and landing pages, product
// images, the tenant's theme and logo, the cart, and checkout (address,
// shipping, review, pay) for signed-in patients. One file per action; routes
// in routes.go.
//
// The catalog pages are public and non-personal, so whole pages are cached
// by catalog version (cache.go) with a per-request slot for what is personal
// (cart count, signed-in name). Checkout is registered only in a process that
// holds the PHI store: the order service it places orders with is nil in a
// storefront process. Either way the shop never depends on the vault (the
// import rules in internal/server hold this).
package shop

import (
	"net/http"
	"sync"

	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/forms"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/web"
)

// Handlers serve the shop.
type Handlers struct {
	site    *web.Site
	catalog *catalog.Service
	cache   *web.Cache
	home    *render.Page
	list    *render.Page
	product *render.Page
	landing *render.Page
	legal   *render.Page
	cart    *render.Page
	// carts is the browser carts; the cart holds no person, so it is served
	// here, by the shop, without the PHI store. In a process that has the PHI
	// store, it also mirrors a signed-in patient's changes to their saved
	// cart (cart.Mirror); the shop itself never sees that.
	carts       *cart.Service
	cartCookies web.CartCookies
	// orders places and pays for orders at checkout; nil in a storefront
	// process, which has no checkout.
	orders       *orders.Service
	checkoutPage *render.Page
	reviewPage   *render.Page
	// Forms, if set, names the intake questionnaires the cart's products
	// still need, with links to them, on the checkout page (issue 18);
	// placing the order refuses without them either way (orders.Deps.Intake).
	Forms *forms.Service

	// anon is the personal part of a page for a request without a session
	// (cache.go), rendered once.
	anonOnce sync.Once
	anon     []byte
	anonErr  error
}

// New builds the shop's handlers; ord may be nil (no checkout). A missing
// template fails here.
func New(site *web.Site, svc *catalog.Service, cache *web.Cache, carts *cart.Service, cookies web.CartCookies, ord *orders.Service) (*Handlers, error) {
	h := &Handlers{site: site, catalog: svc, cache: cache, carts: carts, cartCookies: cookies, orders: ord}
	if err := site.Pages(map[string]**render.Page{
		"shop/home": &h.home, "shop/products": &h.list, "shop/product": &h.product, "shop/landing": &h.landing, "shop/legal": &h.legal, "shop/cart": &h.cart,
		"shop/checkout": &h.checkoutPage, "shop/checkout_review": &h.reviewPage,
	}); err != nil {
		return nil, err
	}
	return h, nil
}

// render shows a personal page (the cart, checkout): none of them may be
// stored by a browser or a proxy.
func (h *Handlers) render(w http.ResponseWriter, r *http.Request, p *render.Page, status int, title string, data any) error {
	w.Header().Set("Cache-Control", "no-store")
	return h.site.Render(w, r, p, status, title, data)
}
