package shop

import (
	"net/http"

	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/forms"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/payment"
	"github.com/salvehealth/salve/internal/shiptax"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// checkoutData is the checkout form.
type checkoutData struct {
	Cart    *cart.Cart
	Form    *web.Form
	Methods []orders.ShippingOption
	// Regions are the regions the tenant ships to (in a shipping zone).
	Regions  []shiptax.TaxRegion
	Gateways []payment.Gateway
	// Intake are the questionnaires to complete before paying.
	Intake []forms.Form
}

// showCheckout renders the shipping and payment form: GET /checkout. The
// address of the person's last order is filled in (opening it is audited),
// with the first way to pay chosen.
func (h *Handlers) showCheckout(w http.ResponseWriter, r *http.Request) error {
	f := &web.Form{Values: map[string][]string{"shipping": {"standard"}}}
	if gws := h.orders.GatewaysFor(r.Context(), tenant.FromContext(r.Context()).ID); len(gws) > 0 {
		f.Values["gateway"] = []string{gws[0].Name()}
	}
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	a, ok, err := h.orders.LastAddress(r.Context(), tenant.FromContext(r.Context()).ID, sess.UserID)
	if err != nil {
		return err
	}
	if ok {
		for k, v := range map[string]string{"name": a.Name, "line1": a.Line1, "line2": a.Line2, "city": a.City, "region": a.Region,
			"postal_code": a.PostalCode} {
			f.Values[k] = []string{v}
		}
	}
	return h.checkoutForm(w, r, http.StatusOK, f)
}

func (h *Handlers) checkoutForm(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	t := tenant.FromContext(r.Context())
	c, err := h.carts.Get(r.Context(), t.ID, h.cartCookies.Token(r))
	if err != nil {
		return err
	}
	intake, err := h.intake(r, c)
	if err != nil {
		return err
	}
	st, err := h.orders.Settings(r.Context(), t.ID)
	if err != nil {
		return err
	}
	return h.render(w, r, h.checkoutPage, status, "Checkout", checkoutData{Cart: c, Form: f, Methods: orders.ShippingOptions(st),
		Regions: st.ShipsTo(), Gateways: h.orders.GatewaysFor(r.Context(), tenant.FromContext(r.Context()).ID), Intake: intake})
}

// intake returns the intake questionnaires the cart's products need that the
// signed-in patient has not completed (only whether one was sent is read).
func (h *Handlers) intake(r *http.Request, c *cart.Cart) ([]forms.Form, error) {
	if h.Forms == nil || len(c.Lines) == 0 {
		return nil, nil
	}
	sess, err := web.Session(r)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(c.Lines))
	for _, l := range c.Lines {
		ids = append(ids, l.ProductID)
	}
	return h.Forms.Missing(r.Context(), tenant.FromContext(r.Context()).ID, sess.UserID, ids)
}
