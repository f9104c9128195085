package checkout

import (
	"net/http"

	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/payment"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// checkoutData is the checkout form.
type checkoutData struct {
	Cart     *cart.Cart
	Form     *web.Form
	Methods  []orders.ShippingMethod
	Regions  []orders.Region
	Gateways []payment.Gateway
}

// showCheckout renders the shipping and payment form: GET /checkout.
func (h *Handlers) showCheckout(w http.ResponseWriter, r *http.Request) error {
	f := &web.Form{Values: map[string][]string{"shipping": {"standard"}, "gateway": {"test"}}}
	return h.checkoutForm(w, r, http.StatusOK, f)
}

func (h *Handlers) checkoutForm(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	t := tenant.FromContext(r.Context())
	c, err := h.carts.Get(r.Context(), t.ID, h.cookies.Token(r))
	if err != nil {
		return err
	}
	return h.render(w, r, status, "checkout/checkout", "Checkout", checkoutData{Cart: c, Form: f, Methods: orders.ShippingMethods,
		Regions: orders.Regions, Gateways: h.orders.Gateways()})
}
