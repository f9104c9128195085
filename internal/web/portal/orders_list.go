package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// ordersData is the list of a patient's orders.
type ordersData struct {
	Open, Past []*orders.Order
}

// listOrders renders the signed-in patient's open and past orders:
// GET /account/orders (one audited access for the list).
func (h *Handlers) listOrders(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	list, err := h.orders.List(r.Context(), tenant.FromContext(r.Context()).ID, sess.UserID)
	if err != nil {
		return err
	}
	var d ordersData
	for _, o := range list {
		if o.Status.Open() {
			d.Open = append(d.Open, o)
		} else {
			d.Past = append(d.Past, o)
		}
	}
	return h.render(w, r, h.pages.orders, http.StatusOK, "Your orders", d)
}
