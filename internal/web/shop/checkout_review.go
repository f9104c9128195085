package shop

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// reviewData is the last step before paying.
type reviewData struct {
	Form    *web.Form
	Quote   *orders.Quote
	Address orders.Address
	Gateway string
}

// addressOf reads the shipping address fields of a form.
func addressOf(f *web.Form) orders.Address {
	return orders.Address{Name: f.Value("name"), Line1: f.Value("line1"), Line2: f.Value("line2"), City: f.Value("city"),
		Region: f.Value("region"), PostalCode: f.Value("postal_code")}
}

// itemsOf returns the cart's items, quantities only: prices are read from the
// catalog by the order service, never taken from a form.
func (h *Handlers) itemsOf(r *http.Request) ([]orders.ItemRef, error) {
	t := tenant.FromContext(r.Context())
	c, err := h.carts.Get(r.Context(), t.ID, h.cartCookies.Token(r))
	if err != nil {
		return nil, err
	}
	if len(c.Lines) == 0 {
		return nil, apperr.New(apperr.Invalid, "Your cart is empty.")
	}
	items := make([]orders.ItemRef, 0, len(c.Lines))
	for _, l := range c.Lines {
		items = append(items, orders.ItemRef{VariantID: l.VariantID, Quantity: l.Quantity})
	}
	return items, nil
}

// review checks the address and choices and shows the order's total:
// POST /checkout. Nothing is stored yet. The review's "Change" posts here
// too (change=1) and gets the form back with what was entered: a link back
// to GET /checkout forgot the address just typed.
func (h *Handlers) review(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	if f.Value("change") != "" {
		return h.checkoutForm(w, r, http.StatusOK, f)
	}
	a := addressOf(f)
	q, err := h.quote(r, f, &a)
	if err == nil {
		// An intake questionnaire still to complete stops the review here,
		// not only at payment (issue 18).
		var sess signin.Session
		if sess, err = web.Session(r); err == nil {
			err = h.orders.CheckIntake(r.Context(), tenant.FromContext(r.Context()).ID, sess.UserID, q)
		}
	}
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.checkoutForm(w, r, status, f)
	}
	return h.render(w, r, h.reviewPage, http.StatusOK, "Review your order", reviewData{Form: f, Quote: q, Address: a, Gateway: f.Value("gateway")})
}

func (h *Handlers) quote(r *http.Request, f *web.Form, a *orders.Address) (*orders.Quote, error) {
	if err := orders.CheckAddress(a); err != nil {
		return nil, err
	}
	found := false
	for _, g := range h.orders.GatewaysFor(r.Context(), tenant.FromContext(r.Context()).ID) {
		found = found || g.Name() == f.Value("gateway")
	}
	if !found {
		return nil, apperr.InvalidFields("Choose how to pay.", map[string]string{"gateway": "Choose how to pay."})
	}
	items, err := h.itemsOf(r)
	if err != nil {
		return nil, err
	}
	return h.orders.QuoteItems(r.Context(), tenant.FromContext(r.Context()).ID, items, f.Value("shipping"), a.Region, f.Value("promo"))
}
