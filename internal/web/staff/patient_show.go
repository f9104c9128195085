package staff

import (
	"net/http"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/patients"
	"github.com/salvehealth/salve/internal/tenant"
)

// patientData is one patient's page as the staff member's role sees it.
type patientData struct {
	ID, Name, Email string
	// BreakGlass is set when the page is open by an emergency grant: its
	// reason and end are shown on the page.
	BreakGlass *breakGlassShown
	Sections   []patients.Section
}

// breakGlassShown is the grant a page is open by.
type breakGlassShown struct {
	Reason string
	Until  time.Time
}

// showPatient renders GET /staff/patients/{id}: the patient's contact
// details and the sections the role may read (see patients.Service.View).
// Another tenant's patient, a patient the role may not see, a staff
// account's id and an unknown id all answer the same 404.
func (h *Handlers) showPatient(w http.ResponseWriter, r *http.Request) error {
	pid := r.PathValue("id")
	if !id.Valid(pid) {
		return apperr.NotFoundError()
	}
	t := tenant.FromContext(r.Context())
	rec, err := h.patients.View(r.Context(), t.ID, pid)
	if err != nil {
		return err
	}
	d := patientData{ID: rec.ID, Name: rec.Name.Reveal(), Email: rec.Email.Reveal(), Sections: rec.Sections}
	if rec.BreakGlass != nil {
		d.BreakGlass = &breakGlassShown{Reason: rec.BreakGlass.Reason.Reveal(), Until: rec.BreakGlass.Until}
	}
	return h.render(w, r, h.pages.patient, http.StatusOK, "Patient", d)
}
