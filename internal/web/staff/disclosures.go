package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounting"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/web"
)

// Disclosures is the staff page that records a disclosure of a patient's
// data to an outside party (issue 16, accounting of disclosures, 45 CFR
// 164.528). Its own handlers, beside Handlers, so that it keeps to its
// files.
type Disclosures struct {
	site       *web.Site
	accounting *accounting.Service
	page       *render.Page
}

// NewDisclosures returns the disclosure pages; a missing template fails here.
func NewDisclosures(site *web.Site, acc *accounting.Service) (*Disclosures, error) {
	h := &Disclosures{site: site, accounting: acc}
	if err := site.Pages(map[string]**render.Page{"staff/disclosure_new": &h.page}); err != nil {
		return nil, err
	}
	return h, nil
}

// DisclosureRoles are the staff who send patients' data out and so record
// it: customer service (to a payer), pharmacists (to a lab, an insurer),
// clinicians (to a specialist), fulfillment (to a courier). Why not
// managers, admins or compliance: they hold no patient data to send. The
// service decides again per patient (a clinician needs a care
// relationship).
var DisclosureRoles = []access.Role{access.RoleCustomerService, access.RolePharmacist, access.RoleClinician, access.RoleFulfillment}

// Routes registers the disclosure form and its submission.
func (h *Disclosures) Routes(rt *httpx.Router) {
	roles := httpx.Roles(DisclosureRoles...)
	rt.Handle(access.Staff, "GET /staff/patients/{id}/disclosures", h.showNew, roles)
	rt.Handle(access.Staff, "POST /staff/patients/{id}/disclosures", h.create, roles)
}

// disclosureData is the form.
type disclosureData struct {
	PatientID, Today string
	Form             *web.Form
}

func (h *Disclosures) render(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	w.Header().Set("Cache-Control", "no-store")
	d := disclosureData{PatientID: r.PathValue("id"), Today: h.accounting.Now().UTC().Format("2006-01-02"), Form: f}
	return h.site.Render(w, r, h.page, status, "Record a disclosure", d)
}
