package fulfil

import (
	"net/http"

	"github.com/salvehealth/salve/internal/orders"
)

// ship marks an order handed to the carrier (fulfillment): ready → shipped: POST /staff/orders/{id}/ship.
func (h *Handlers) ship(w http.ResponseWriter, r *http.Request) error {
	return h.step(w, r, orders.StepShip)
}
