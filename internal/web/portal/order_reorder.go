package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/cart"
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
	items := make([]cart.Item, 0, len(o.Items))
	for _, it := range o.Items {
		items = append(items, cart.Item{VariantID: it.VariantID, Quantity: it.Quantity})
	}
	// Sold out or withdrawn since: skipped.
	added, err := h.carts.AddAll(r.Context(), t.ID, h.cartCookies.Ensure(w, r), items)
	if err != nil {
		return err
	}
	if added == 0 {
		return apperr.New(apperr.Invalid, "None of the items of this order can be bought now.")
	}
	http.Redirect(w, r, "/cart", http.StatusSeeOther)
	return nil
}
