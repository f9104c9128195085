package fulfil

import (
	"net/http"

	"github.com/salvehealth/salve/internal/orders"
)

// markPaid marks an invoice order paid (customer service): pending_payment → paid, then awaiting_rx when an item needs a prescription; the stock is confirmed: POST /staff/orders/{id}/mark-paid.
func (h *Handlers) markPaid(w http.ResponseWriter, r *http.Request) error {
	return h.step(w, r, orders.StepMarkPaid)
}
