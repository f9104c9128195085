package fulfil

import (
	"net/http"

	"github.com/salvehealth/salve/internal/orders"
)

// release releases an order whose prescription a pharmacist verified: awaiting_rx → ready: POST /staff/orders/{id}/release.
func (h *Handlers) release(w http.ResponseWriter, r *http.Request) error {
	return h.step(w, r, orders.StepRelease)
}
