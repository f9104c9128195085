package staff

import (
	"net/http"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/tenant"
)

// Records shared by a sister brand's patients (issue 20 point 4). A patient
// is a patient of one brand; one who consented, at /account/sharing, to share
// classes of their record with this brand, and whom this brand's admin gave
// the staff member a care relationship with (/admin/shared-care), is listed
// here, and their record opens read-only at /staff/shared/{brand}/{id}
// (patients.Service.ViewShared: access.Decide's sister-brand rule, audited
// in the patient's brand). Why no name on the list: the list is a look-up
// of consents and care, not a read of anyone's record; the name is contact
// data, opened (and recorded) with the record when the patient shared it.

// sharedRow is one patient on the list.
type sharedRow struct {
	BrandID, BrandName, PatientID string
	Classes                       []string
	Since                         time.Time
}

// sharedData is the list page.
type sharedData struct{ Rows []sharedRow }

// sharedPatientData is one shared record.
type sharedPatientData struct {
	patientData
	BrandName string
}

// showShared lists the patients of sister brands whose records this
// staff member may open: GET /staff/shared.
func (h *Handlers) showShared(w http.ResponseWriter, r *http.Request) error {
	list, err := h.grants.SharedWithMe(r.Context())
	if err != nil {
		return err
	}
	names := h.brandNames(tenant.FromContext(r.Context()))
	var d sharedData
	for _, p := range list {
		row := sharedRow{BrandID: p.PatientTenantID, BrandName: names[p.PatientTenantID], PatientID: p.PatientID, Since: p.Since}
		if row.BrandName == "" {
			continue // a brand that left the organisation meanwhile
		}
		for _, c := range p.Scopes {
			row.Classes = append(row.Classes, c.Label())
		}
		d.Rows = append(d.Rows, row)
	}
	return h.render(w, r, h.pages.shared, http.StatusOK, "Shared by sister brands", d)
}

// showSharedPatient opens a patient's shared record, read-only: GET
// /staff/shared/{brand}/{id}. A brand outside the organisation, a patient
// who shares nothing this role reads, without care, or whose consent was
// withdrawn, all answer the same 404.
func (h *Handlers) showSharedPatient(w http.ResponseWriter, r *http.Request) error {
	brandID, pid := r.PathValue("brand"), r.PathValue("id")
	names := h.brandNames(tenant.FromContext(r.Context()))
	if !id.Valid(pid) || names[brandID] == "" {
		return apperr.NotFoundError()
	}
	rec, err := h.patients.ViewShared(r.Context(), brandID, pid)
	if err != nil {
		return err
	}
	d := sharedPatientData{patientData: patientData{ID: rec.ID, Name: rec.Name.Reveal(), Email: rec.Email.Reveal(), Sections: rec.Sections},
		BrandName: names[brandID]}
	return h.render(w, r, h.pages.sharedPatient, http.StatusOK, "Shared record", d)
}

// brandNames names the sister brands of t (its organisation's other
// brands), by id; none outside an organisation.
func (h *Handlers) brandNames(t *tenant.Tenant) map[string]string {
	out := map[string]string{}
	if h.Brands == nil || t == nil || t.OrgID == "" {
		return out
	}
	for _, b := range h.Brands(t.OrgID) {
		if b.ID != t.ID && b.OrgID == t.OrgID {
			out[b.ID] = b.Name
		}
	}
	return out
}
