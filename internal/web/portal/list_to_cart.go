package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// listToCart puts every item of a list in the cart in one click:
// POST /account/lists/{id}/cart. The list keeps its items; items sold out
// or withdrawn are skipped.
func (h *Handlers) listToCart(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	l, err := h.lists.Get(r.Context(), t.ID, sess.UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	items := make([]cart.Item, 0, len(l.Items))
	for _, it := range l.Items {
		items = append(items, cart.Item{VariantID: it.VariantID, Quantity: it.Quantity})
	}
	added, err := h.carts.AddAll(r.Context(), t.ID, h.cartCookies.Ensure(w, r), items)
	if err != nil {
		return err
	}
	if added == 0 {
		return apperr.New(apperr.Invalid, "None of the items on this list can be bought now.")
	}
	http.Redirect(w, r, "/cart", http.StatusSeeOther)
	return nil
}
