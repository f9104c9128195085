package checkout

import (
	"net/http"

	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/tenant"
)

// showOrder renders one order: GET /account/orders/{id}. Another patient's
// order, another tenant's and an unknown id are the same 404; the view is
// audited.
func (h *Handlers) showOrder(w http.ResponseWriter, r *http.Request) error {
	o, err := h.orders.Get(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "orders/show", "Order "+o.Reference, orderData{O: o, Ordered: o.CreatedAt.Format("2 January 2006")})
}

type orderData struct {
	O       *orders.Order
	Ordered string
}
