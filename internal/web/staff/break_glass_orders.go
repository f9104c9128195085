package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/tenant"
)

// breakGlassOrdersData is what a break-glass grant opens today: the
// patient's orders, read-only.
type breakGlassOrdersData struct {
	GrantID string
	Orders  []breakGlassOrder
}

// breakGlassOrder is one order as the grant shows it.
type breakGlassOrder struct {
	Reference, Ordered, Status string
	Items                      []orders.Item
}

// showBreakGlassOrders renders the patient's orders under one of the staff
// member's live break-glass grants: GET /staff/break-glass/{id}/orders,
// where {id} is the grant (so the URL names no patient). Read-only: no step,
// no reorder. Minimum necessary: what was ordered, when, and its status; no
// address and no prices (neither helps in an emergency, and the break-glass
// rule opens no address). The grant's use is audited against the grant
// (break_glass.use, whose reason the compliance review shows), and the
// orders' opening as order.list with the purpose break_glass. Without a live
// grant of this person (none, expired, another's, another tenant's) the
// answer is the plain 404.
func (h *Handlers) showBreakGlassOrders(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	grantID := r.PathValue("id")
	patientID, err := h.grants.BreakGlassPatient(r.Context(), t.ID, grantID, "orders.read")
	if err != nil {
		return err
	}
	list, err := h.orders.List(r.Context(), t.ID, patientID)
	if err != nil {
		return err
	}
	d := breakGlassOrdersData{GrantID: grantID}
	for _, o := range list {
		d.Orders = append(d.Orders, breakGlassOrder{Reference: o.Reference, Ordered: o.CreatedAt.Format("2 January 2006"),
			Status: o.Status.Label(), Items: o.Items})
	}
	return h.render(w, r, h.pages.breakGlassOrders, http.StatusOK, "Emergency access: orders", d)
}
