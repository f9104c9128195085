package shop

import (
	"net/http"

	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// cartData is what the cart page shows.
type cartData struct {
	Cart *cart.Cart
	Form *web.Form
	// Item is the variant whose form failed, so its error shows beside it.
	Item string
}

// showCart renders the browser's cart: GET /cart. It is personal, so never
// cached, neither here nor by the browser's neighbours.
func (h *Handlers) showCart(w http.ResponseWriter, r *http.Request) error {
	return h.cartPage(w, r, http.StatusOK, nil, "")
}

func (h *Handlers) cartPage(w http.ResponseWriter, r *http.Request, status int, f *web.Form, item string) error {
	t := tenant.FromContext(r.Context())
	c, err := h.carts.Get(r.Context(), t.ID, h.cartCookies.Token(r))
	if err != nil {
		return err
	}
	if f == nil {
		f = &web.Form{}
	}
	return h.render(w, r, h.cart, status, "Your cart", cartData{Cart: c, Form: f, Item: item})
}
