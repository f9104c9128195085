package shop

import (
	"net/http"

	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// addToCart adds a variant to the cart: POST /cart/items (variant, quantity).
// An unknown variant, a quantity below 1 or above the stock is refused with
// the reason on the cart page, and the cart is unchanged.
func (h *Handlers) addToCart(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	qty, err := cart.ParseQuantity(f.Value("quantity"))
	if err == nil {
		err = h.carts.Add(r.Context(), t.ID, h.cartCookies.Ensure(w, r), f.Value("variant"), qty)
	}
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.cartPage(w, r, status, f, "")
	}
	http.Redirect(w, r, "/cart", http.StatusSeeOther)
	return nil
}
