package checkout

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
)

// reorder puts an order's items back in the cart in one click:
// POST /account/orders/{id}/reorder. Items that are no longer for sale or
// out of stock are left out; the cart shows what was added.
func (h *Handlers) reorder(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	o, err := h.orders.Get(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	token := h.cookies.Ensure(w, r)
	added := 0
	for _, it := range o.Items {
		err := h.carts.Add(r.Context(), t.ID, token, it.VariantID, it.Quantity)
		switch {
		case err == nil:
			added++
		case apperr.Is(err, apperr.Invalid):
			// Sold out or withdrawn since: skip it.
		default:
			return err
		}
	}
	if added == 0 {
		return apperr.New(apperr.Invalid, "None of the items of this order can be bought now.")
	}
	http.Redirect(w, r, "/cart", http.StatusSeeOther)
	return nil
}
