package api

import (
	"net/http"

	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/tenant"
)

// showCart answers GET /api/v1/cart: the browser's cart, priced now. Never
// cached: it is the browser's own.
func (c *Commerce) showCart(w http.ResponseWriter, r *http.Request) error {
	ct, err := c.carts.Get(r.Context(), tenant.FromContext(r.Context()).ID, c.cookies.Token(r))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpx.WriteJSON(w, http.StatusOK, cartJSON(ct))
}
