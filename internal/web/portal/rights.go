package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounting"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/records"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/web"
)

// Rights are the pages of the patient's HIPAA rights of access and
// accounting (issue 16): a copy of their record (/account/records, 45 CFR
// 164.524) and who accessed it with the disclosures to outside parties
// (/account/access-log, 164.528). They are their own handlers, beside
// Handlers, so that rights added later keep to their own files.
type Rights struct {
	site       *web.Site
	records    *records.Service
	accounting *accounting.Service
	pages      struct{ records, accessLog *render.Page }
}

// NewRights returns the rights pages; a missing template fails here.
func NewRights(site *web.Site, recs *records.Service, acc *accounting.Service) (*Rights, error) {
	h := &Rights{site: site, records: recs, accounting: acc}
	if err := site.Pages(map[string]**render.Page{"portal/records": &h.pages.records, "portal/access_log": &h.pages.accessLog}); err != nil {
		return nil, err
	}
	return h, nil
}

// Routes registers the rights pages. Why patients only: these are a
// patient's rights over their own record (and a proxy's, who is a patient
// too, within the grant: the services decide per patient with ?for=);
// staff record disclosures on their own page.
func (h *Rights) Routes(rt *httpx.Router) {
	patients := httpx.Roles(access.RolePatient)
	rt.Handle(access.Customer, "GET /account/records", h.showRecords, patients)
	rt.Handle(access.Customer, "POST /account/records", h.requestRecords, patients)
	rt.Handle(access.Customer, "GET /account/records/{id}/download", h.downloadRecords, patients)
	rt.Handle(access.Customer, "GET /account/access-log", h.showAccessLog, patients)
	rt.Handle(access.Customer, "GET /account/access-log/disclosures.csv", h.downloadDisclosures, patients)
}

// render shows a page. Why no-store: these pages are about a person's
// record, and none may be kept by a browser or a proxy.
func (h *Rights) render(w http.ResponseWriter, r *http.Request, p *render.Page, status int, title string, data any) error {
	w.Header().Set("Cache-Control", "no-store")
	return h.site.Render(w, r, p, status, title, data)
}

// patientOf returns whose record a request is about: ?for= (or the form's
// "for") names a person who granted the signed-in patient access; empty or
// their own id is themselves. Whether the grant allows it the services
// decide: without one the answer is the same 404 as no such person.
func patientOf(r *http.Request, self string) (patient, forID string) {
	f := r.URL.Query().Get("for")
	if f == "" && r.Method == http.MethodPost {
		f = r.PostFormValue("for")
	}
	if f == "" || f == self {
		return self, ""
	}
	return f, f
}
