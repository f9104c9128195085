package fulfil

import (
	"net/http"

	"github.com/salvehealth/salve/internal/orders"
)

// deliver marks a shipped order delivered: shipped → delivered: POST /staff/orders/{id}/deliver.
func (h *Handlers) deliver(w http.ResponseWriter, r *http.Request) error {
	return h.step(w, r, orders.StepDeliver)
}
