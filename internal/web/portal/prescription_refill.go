package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// refillPrescription puts a prescription's product in the cart: POST
// /account/prescriptions/{id}/refill. Only a verified, unexpired
// prescription with a fill left can be refilled (a clear error otherwise);
// checkout then covers the order with it.
func (h *Handlers) refillPrescription(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	variant, err := h.rx.RefillVariant(r.Context(), t.ID, sess.UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if _, err := h.carts.AddAll(r.Context(), t.ID, h.cartCookies.Ensure(w, r), []cart.Item{{VariantID: variant, Quantity: 1}}); err != nil {
		return err
	}
	http.Redirect(w, r, "/cart", http.StatusSeeOther)
	return nil
}
