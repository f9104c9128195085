package shop

import (
	"net/http"

	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// updateCartItem changes a line's quantity, or removes it:
// POST /cart/items/{id} with quantity, or with remove. Bad input changes
// nothing and shows the reason beside the line.
func (h *Handlers) updateCartItem(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	variant := r.PathValue("id")
	var qty int64
	if f.Value("remove") == "" {
		qty, err = cart.ParseQuantity(f.Value("quantity"))
	}
	if err == nil {
		err = h.carts.Update(r.Context(), t.ID, h.cartCookies.Token(r), variant, qty)
	}
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.cartPage(w, r, status, f, variant)
	}
	http.Redirect(w, r, "/cart", http.StatusSeeOther)
	return nil
}
