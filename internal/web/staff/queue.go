package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/tenant"
)

// pageSize is how many orders a page of the queue shows.
const pageSize = 50

// filter is one choice of the queue's status filter.
type filter struct {
	Key, Label string
	Current    bool
}

// queueData is the queue page.
type queueData struct {
	Filters []filter
	Rows    []orders.QueueItem
	// Next is the query of the next page; empty on the last.
	Next   string
	Status string
}

// showQueue lists the tenant's orders of a status, newest first, a page at
// a time: GET /staff/orders?status=…&after=…. The default is the orders
// that wait for work. Only references, statuses, gateways and times are
// shown: the list opens nobody's sealed order.
func (h *Handlers) showQueue(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	key := r.URL.Query().Get("status")
	var statuses []orders.Status
	switch key {
	case "":
		statuses = orders.QueueStatuses
	case "all":
		statuses = orders.AllStatuses
	default:
		statuses = []orders.Status{orders.Status(key)}
	}
	rows, err := h.orders.Queue(r.Context(), t.ID, statuses, r.URL.Query().Get("after"), pageSize+1)
	if err != nil {
		return err
	}
	d := queueData{Status: key}
	d.Filters = append(d.Filters, filter{Key: "", Label: "Needs work", Current: key == ""})
	for _, st := range orders.AllStatuses {
		d.Filters = append(d.Filters, filter{Key: string(st), Label: st.Label(), Current: key == string(st)})
	}
	d.Filters = append(d.Filters, filter{Key: "all", Label: "All", Current: key == "all"})
	if len(rows) > pageSize {
		rows = rows[:pageSize]
		d.Next = rows[pageSize-1].ID
	}
	d.Rows = rows
	return h.render(w, r, h.pages.queue, http.StatusOK, "Orders", d)
}
