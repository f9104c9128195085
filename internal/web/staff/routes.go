package staff

import (
	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/patients"
)

// Routes registers the staff pages.
//
// The order pages: why these roles, they are the staff whose work needs
// orders (access policy: customer service, pharmacists, fulfillment); store
// managers, admins, compliance and clinicians get the same 404 as for a page
// that does not exist. Each step is its own route, POST
// /staff/orders/{id}/mark-paid, /release, /prepare, /ship, /deliver, /cancel
// and /refund (see step for who may take which).
//
// Emergency access: for the care team (clinicians and pharmacists), with
// what a grant opens (the patient's orders, found by the grant's id and only
// while it lasts); its review is in web/admin.
func (h *Handlers) Routes(rt *httpx.Router) {
	// The staff home is for every staff role: it lists what each may open.
	everyone := httpx.Roles(access.RoleCustomerService, access.RolePharmacist, access.RoleClinician, access.RoleFulfillment,
		access.RoleStoreManager, access.RoleCompliance, access.RoleAdmin)
	rt.Handle(access.Staff, "GET /staff", h.showHome, everyone)
	staff := httpx.Roles(orders.StaffRoles...)
	rt.Handle(access.Staff, "GET /staff/orders", h.showQueue, staff)
	rt.Handle(access.Staff, "GET /staff/orders/{id}", h.showOrder, staff)
	for _, st := range orders.Steps {
		rt.Handle(access.Staff, "POST /staff/orders/{id}/"+string(st), h.step(st), staff)
	}
	careTeam := httpx.Roles(access.RoleClinician, access.RolePharmacist)
	rt.Handle(access.Staff, "GET /staff/break-glass", h.showBreakGlass, careTeam)
	rt.Handle(access.Staff, "POST /staff/break-glass", h.breakGlass, careTeam)
	rt.Handle(access.Staff, "GET /staff/break-glass/{id}/orders", h.showBreakGlassOrders, careTeam)
	// The staff view of a patient: why these roles, see patients.Roles
	// (fulfilment needs nothing beyond the order; managers, admins and
	// compliance hold no patient data by default). Which patients and which
	// sections each may see is decided per patient by the service.
	viewers := httpx.Roles(patients.Roles...)
	rt.Handle(access.Staff, "GET /staff/patients", h.showPatients, viewers)
	rt.Handle(access.Staff, "POST /staff/patients", h.findPatients, viewers)
	rt.Handle(access.Staff, "GET /staff/patients/{id}", h.showPatient, viewers)
}
