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
	// The brand switcher (roles across brands): for every staff role; the
	// handler answers 404 to anyone without an organisation role.
	rt.Handle(access.Staff, "POST /staff/brand", h.switchBrand, everyone)
	staff := httpx.Roles(orders.StaffRoles...)
	rt.Handle(access.Staff, "GET /staff/orders", h.showQueue, staff)
	rt.Handle(access.Staff, "GET /staff/orders/{id}", h.showOrder, staff)
	for _, st := range orders.Steps {
		rt.Handle(access.Staff, "POST /staff/orders/{id}/"+string(st), h.step(st), staff)
	}
	// Returns (issue 18 point 2): the queue, and one route a step, like the
	// order steps.
	rt.Handle(access.Staff, "GET /staff/orders/returns", h.showReturns, staff)
	for _, st := range orders.ReturnSteps {
		rt.Handle(access.Staff, "POST /staff/orders/{id}/returns/{return}/"+string(st), h.returnStep(st), staff)
	}
	// Prescriptions: the pharmacist's queue, one prescription with its
	// uploaded paper, and the decision. Why pharmacists only: verifying is
	// their work, and the paper names the prescriber and the drug, which
	// fulfilment, customer service and the rest never need (the service
	// checks the role again).
	pharmacists := httpx.Roles(access.RolePharmacist)
	rt.Handle(access.Staff, "GET /staff/prescriptions", h.showPrescriptionQueue, pharmacists)
	rt.Handle(access.Staff, "GET /staff/prescriptions/{id}", h.showPrescription, pharmacists)
	rt.Handle(access.Staff, "GET /staff/prescriptions/{id}/document", h.showPrescriptionDocument, pharmacists)
	rt.Handle(access.Staff, "POST /staff/prescriptions/{id}/verify", h.verifyPrescription, pharmacists)
	rt.Handle(access.Staff, "POST /staff/prescriptions/{id}/reject", h.rejectPrescription, pharmacists)
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
	// Records sister brands' patients share with this brand (issue 20
	// point 4): the same roles; access.Decide's sister-brand rule decides
	// which patients and classes (shared.go).
	if h.Brands != nil {
		rt.Handle(access.Staff, "GET /staff/shared", h.showShared, viewers)
		rt.Handle(access.Staff, "GET /staff/shared/{brand}/{id}", h.showSharedPatient, viewers)
	}

	clinicians := httpx.Roles(access.RoleClinician)
	// Lab results: clinicians only, who order, enter, release and
	// acknowledge them (labs package doc says why there is no lab role).
	// The service checks the care relationship per patient again.
	rt.Handle(access.Staff, "GET /staff/results", h.showResults, clinicians)
	rt.Handle(access.Staff, "GET /staff/results/new", h.showNewResult, clinicians)
	rt.Handle(access.Staff, "POST /staff/results", h.createResult, clinicians)
	rt.Handle(access.Staff, "POST /staff/results/{id}/release", h.releaseResult, clinicians)
	rt.Handle(access.Staff, "POST /staff/results/{id}/acknowledge", h.acknowledgeResult, clinicians)

	// Amendments (issue 16, 164.526): staff decide corrections of the
	// records they write (clinicians lab results, pharmacists
	// prescriptions, customer service profiles); the service checks the
	// class and the patient again, so each sees only its own kinds.
	if h.amend.svc != nil {
		deciders := httpx.Roles(access.RoleClinician, access.RolePharmacist, access.RoleCustomerService)
		rt.Handle(access.Staff, "GET /staff/amendments", h.showAmendmentQueue, deciders)
		rt.Handle(access.Staff, "GET /staff/amendments/{id}", h.showAmendment, deciders)
		rt.Handle(access.Staff, "POST /staff/amendments/{id}/accept", h.acceptAmendment, deciders)
		rt.Handle(access.Staff, "POST /staff/amendments/{id}/deny", h.denyAmendment, deciders)
		rt.Handle(access.Staff, "POST /staff/amendments/{id}/extend", h.extendAmendment, deciders)
	}

	// Appointments: a clinician's own day and own hours. Why clinicians
	// only: the day opens patients' appointment details (treatment), and
	// the hours are each clinician's own to publish.
	if h.appointments == nil {
		return
	}
	rt.Handle(access.Staff, "GET /staff/appointments", h.showDay, clinicians)
	rt.Handle(access.Staff, "GET /staff/appointments/availability", h.showAvailability, clinicians)
	rt.Handle(access.Staff, "POST /staff/appointments/availability/name", h.setName, clinicians)
	rt.Handle(access.Staff, "POST /staff/appointments/availability/hours", h.addHours, clinicians)
	rt.Handle(access.Staff, "POST /staff/appointments/availability/hours/{id}/remove", h.removeHours, clinicians)
	rt.Handle(access.Staff, "POST /staff/appointments/availability/exceptions", h.addException, clinicians)
	rt.Handle(access.Staff, "POST /staff/appointments/availability/exceptions/{id}/remove", h.removeException, clinicians)
	// Devices (issue 17): the care team's alert queue, a patient's readings
	// with thresholds and alerts. Clinicians only: the role that reads
	// device data with a care relationship (each page decides per patient).
	if h.devices != nil {
		rt.Handle(access.Staff, "GET /staff/device-alerts", h.showDeviceAlerts, clinicians)
		rt.Handle(access.Staff, "GET /staff/patients/{id}/devices", h.showPatientDevices, clinicians)
		rt.Handle(access.Staff, "POST /staff/patients/{id}/devices/thresholds", h.setThresholds, clinicians)
		rt.Handle(access.Staff, "POST /staff/patients/{id}/devices/alerts/{alert}/resolve", h.resolveDeviceAlert, clinicians)
	}
}
