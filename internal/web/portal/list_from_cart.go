package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// listFromCart adds everything in the cart to a list:
// POST /account/lists/{id}/from-cart. How a shopping list is filled: the
// cart is personal and not cached, the product page is neither.
func (h *Handlers) listFromCart(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	c, err := h.carts.Get(r.Context(), t.ID, h.cartCookies.Token(r))
	if err != nil {
		return err
	}
	if len(c.Lines) == 0 {
		return apperr.New(apperr.Invalid, "Your cart is empty.")
	}
	for _, l := range c.Lines {
		if err := h.lists.Add(r.Context(), t.ID, sess.UserID, r.PathValue("id"), l.VariantID, l.Quantity); err != nil {
			return err
		}
	}
	http.Redirect(w, r, "/account/lists", http.StatusSeeOther)
	return nil
}
