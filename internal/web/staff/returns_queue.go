package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/tenant"
)

// returnsQueueSize is how many returns the queue shows.
const returnsQueueSize = 100

// showReturns lists the tenant's returns that wait for staff (requested,
// approved, received), oldest first: GET /staff/orders/returns. Only the
// order's reference, the return's status and its date are shown, each
// linking to the order's page where the steps are: the list opens nobody's
// sealed return.
func (h *Handlers) showReturns(w http.ResponseWriter, r *http.Request) error {
	rows, err := h.orders.ReturnQueue(r.Context(), tenant.FromContext(r.Context()).ID, returnsQueueSize)
	if err != nil {
		return err
	}
	return h.render(w, r, h.pages.returns, http.StatusOK, "Returns", struct{ Rows []orders.ReturnQueueItem }{rows})
}
