package shop

import (
	"net/http"

	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// pay places the order and pays: POST /checkout/pay. The items and their
// prices come from the cart and the catalog now; the form brings only the
// address and the choices, so a forged price in it changes nothing. On
// success the cart is emptied and the order's page shown.
func (h *Handlers) pay(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	items, err := h.itemsOf(r)
	var o *orders.Order
	if err == nil {
		o, err = h.orders.Place(r.Context(), orders.PlaceRequest{TenantID: t.ID, UserID: sess.UserID, Items: items, Address: addressOf(f),
			Shipping: f.Value("shipping"), Region: f.Value("region"), Gateway: f.Value("gateway"), PromoCode: f.Value("promo"),
			Brand: t.Name, BaseURL: web.BaseURL(r, t)})
	}
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.checkoutForm(w, r, status, f)
	}
	if err := h.carts.Clear(r.Context(), t.ID, h.cartCookies.Token(r)); err != nil {
		return err
	}
	http.Redirect(w, r, "/account/orders/"+o.ID, http.StatusSeeOther)
	return nil
}
