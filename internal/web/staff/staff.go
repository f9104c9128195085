// Package staff is the surface of staff at work. Now: the staff home (every
// staff role's pages, with what waits for them), the order queue, an
// order's page and the steps that move it on (release after prescription
// verification, prepare, ship, deliver, cancel, refund, mark an invoice
// paid), for customer service, pharmacists and fulfillment; and emergency
// access to a patient's record (break-glass), for clinicians and pharmacists,
// and what it opens (the patient's page, and their orders read-only); the
// staff view of a patient (find one, their record sliced by role) for
// clinicians, pharmacists and customer service. Clinicians: their day of
// appointments, their availability editor and lab results. Pharmacists: the
// prescription queue. Customer service, pharmacists and clinicians: the
// messages of their teams (messages.go). Every route is limited to the
// roles whose work needs it (httpx.Roles; the services check the role again).
// One file per action; routes in routes.go.
//
// An order's details are PHI: they are opened through the order service,
// which audits each view with the staff member's purpose.
package staff

import (
	"context"
	"net/http"

	"github.com/salvehealth/salve/internal/appointments"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/devices"
	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/patients"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/rx"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// Handlers serve the staff pages.
type Handlers struct {
	// Cookies keep the brand switcher's choice (brand_switch.go); server
	// sets them.
	Cookies  web.Cookies
	site     *web.Site
	orders   *orders.Service
	grants   *grants.Service
	patients *patients.Service
	rx       *rx.Service
	// products lists the tenant's products, for the prescription form's
	// choice of the product a prescription covers.
	products func(ctx context.Context, tenantID string) ([]*catalog.Product, error)
	// appointments is nil where there are none: their pages answer 404.
	appointments *appointments.Service
	// Labs are lab results (clinicians' results pages); server sets it.
	Labs *labs.Service
	// amend are the amendment pages (amendments.go); off until Amendments.
	amend amendPages
	// devices and devicePages are the device pages (WithDevices).
	devices     *devices.Service
	devicePages struct{ alerts, patient *render.Page }
	pages       struct {
		home, queue, order, breakGlass, breakGlassOrders, patients, patient, rxQueue, rx, day, availability *render.Page
		results, resultNew                                                                                  *render.Page
		// returns is the returns queue (issue 18 point 2).
		returns *render.Page
		// shared and sharedPatient are the records sister brands' patients
		// share with this brand (shared.go).
		shared, sharedPatient *render.Page
	}
	// Brands lists an organisation's brands (the tenant resolver's): the
	// sister brands whose shared records open here; nil leaves those pages
	// out. Server sets it before Routes.
	Brands func(orgID string) []*tenant.Tenant
}

// New returns the handlers; a missing template fails here.
func New(site *web.Site, ord *orders.Service, gr *grants.Service, appts *appointments.Service, pat *patients.Service) (*Handlers, error) {
	h := &Handlers{site: site, orders: ord, grants: gr, appointments: appts, patients: pat}
	p := &h.pages
	if err := site.Pages(map[string]**render.Page{"staff/home": &p.home, "staff/orders": &p.queue, "staff/order": &p.order,
		"staff/break_glass": &p.breakGlass, "staff/break_glass_orders": &p.breakGlassOrders, "staff/patients": &p.patients,
		"staff/patient":       &p.patient,
		"staff/prescriptions": &p.rxQueue, "staff/prescription": &p.rx,
		"staff/appointments_day": &p.day, "staff/availability": &p.availability,
		"staff/results": &p.results, "staff/result_new": &p.resultNew, "staff/returns": &p.returns,
		"staff/shared": &p.shared, "staff/shared_patient": &p.sharedPatient}); err != nil {
		return nil, err
	}
	return h, nil
}

// Prescriptions wires the pharmacist's prescription pages: the service and
// the tenant's products (catalog.Service.AllProducts). Call it before Routes.
func (h *Handlers) Prescriptions(s *rx.Service, products func(ctx context.Context, tenantID string) ([]*catalog.Product, error)) {
	h.rx, h.products = s, products
}

// render shows a page. Why no-store: the order page holds PHI, and even the
// queue says who works on what; none of these pages may be kept by a browser
// or proxy.
func (h *Handlers) render(w http.ResponseWriter, r *http.Request, p *render.Page, status int, title string, data any) error {
	w.Header().Set("Cache-Control", "no-store")
	return h.site.Render(w, r, p, status, title, data)
}
