package fulfil

import (
	"net/http"

	"github.com/salvehealth/salve/internal/orders"
)

// prepare starts preparing a paid order with nothing to verify: paid → ready: POST /staff/orders/{id}/prepare.
func (h *Handlers) prepare(w http.ResponseWriter, r *http.Request) error {
	return h.step(w, r, orders.StepPrepare)
}
