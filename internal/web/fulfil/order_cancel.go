package fulfil

import (
	"net/http"

	"github.com/salvehealth/salve/internal/orders"
)

// cancel cancels an order before it ships (customer service): its stock is given back and any payment refunded: POST /staff/orders/{id}/cancel.
func (h *Handlers) cancel(w http.ResponseWriter, r *http.Request) error {
	return h.step(w, r, orders.StepCancel)
}
