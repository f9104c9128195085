package fulfil

import (
	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/orders"
)

// Routes registers the staff order pages. Why these roles: they are the
// staff whose work needs orders (access policy: customer service,
// pharmacists, fulfillment); store managers, admins, compliance and
// clinicians get the same 404 as for a page that does not exist.
func (h *Handlers) Routes(rt *httpx.Router) {
	staff := httpx.Roles(orders.StaffRoles...)
	rt.Handle(access.Staff, "GET /staff/orders", h.showQueue, staff)
	rt.Handle(access.Staff, "GET /staff/orders/{id}", h.showOrder, staff)
	rt.Handle(access.Staff, "POST /staff/orders/{id}/mark-paid", h.markPaid, staff)
	rt.Handle(access.Staff, "POST /staff/orders/{id}/release", h.release, staff)
	rt.Handle(access.Staff, "POST /staff/orders/{id}/prepare", h.prepare, staff)
	rt.Handle(access.Staff, "POST /staff/orders/{id}/ship", h.ship, staff)
	rt.Handle(access.Staff, "POST /staff/orders/{id}/deliver", h.deliver, staff)
	rt.Handle(access.Staff, "POST /staff/orders/{id}/cancel", h.cancel, staff)
	rt.Handle(access.Staff, "POST /staff/orders/{id}/refund", h.refund, staff)
}
