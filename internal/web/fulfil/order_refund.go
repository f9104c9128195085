package fulfil

import (
	"net/http"

	"github.com/salvehealth/salve/internal/orders"
)

// refund refunds an order (customer service) through its gateway, once however often it is posted; an invoice order is marked refunded and its money returned by hand; stock comes back if it had not shipped: POST /staff/orders/{id}/refund.
func (h *Handlers) refund(w http.ResponseWriter, r *http.Request) error {
	return h.step(w, r, orders.StepRefund)
}
