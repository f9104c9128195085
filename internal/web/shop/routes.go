package shop

import (
	"net/http"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/web"
)

// Routes registers every shop route: the catalog and the cart, and, in a
// process with the PHI store, checkout.
func (h *Handlers) Routes(rt *httpx.Router) {
	rt.Handle(access.Public, "GET /{$}", h.showHome)
	rt.Handle(access.Public, "GET "+web.ThemePath, web.Theme)
	rt.Handle(access.Public, "GET "+web.LogoPath, web.Logo)
	rt.Handle(access.Public, "GET /favicon.ico", web.Favicon)
	rt.Handle(access.Public, "GET /products", h.listProducts)
	rt.Handle(access.Public, "GET /products/{slug}", h.showProduct)
	rt.Handle(access.Public, "GET /categories/{slug}", h.showCategory)
	rt.Handle(access.Public, "GET /pages/{slug}", h.showPage)
	// The brand's legal pages, inherited from its organisation (issue 20).
	rt.Handle(access.Public, "GET /legal/{page}", h.showLegal)
	rt.Handle(access.Public, "GET "+web.MediaPrefix+"{sha}/{size}", h.showMedia)
	// The cart: public, since it belongs to a browser, not a person.
	rt.Handle(access.Public, "GET /cart", h.showCart)
	rt.Handle(access.Public, "POST /cart/items", h.addToCart)
	rt.Handle(access.Public, "POST /cart/items/{id}", h.updateCartItem)
	// Anything no route claims is a branded 404.
	rt.Handle(access.Public, "/", func(w http.ResponseWriter, r *http.Request) error { return apperr.NotFoundError() })
	if h.orders == nil {
		return
	}
	// Checkout is for patients (and so proxies, who are patients too): staff
	// do not buy here.
	patients := httpx.Roles(access.RolePatient)
	rt.Handle(access.Customer, "GET /checkout", h.showCheckout, patients)
	rt.Handle(access.Customer, "POST /checkout", h.review, patients)
	rt.Handle(access.Customer, "POST /checkout/pay", h.pay, patients)
}
