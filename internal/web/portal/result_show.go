package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/amend"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/tenant"
)

// resultData is one report as its patient reads it, with what travels with
// it: accepted corrections (by observation) and statements of
// disagreement.
type resultData struct {
	R           *labs.Report
	History     []*amend.Amendment
	Corrections map[string]*amend.Amendment
	// Amend is set when the correction pages are on.
	Amend bool
}

// showResult renders GET /account/results/{id}: a released report with its
// ranges and flags, each test linked to its trend. Opening it as the patient
// marks it no longer new. A held report, another patient's (without a
// proxy grant of the clinical records), another tenant's and an unknown id
// are the same 404; the view is audited.
func (h *Handlers) showResult(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	rep, err := h.labs.Get(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	hist, err := h.history(r.Context(), t.ID, amend.LabResult, rep.ID)
	if err != nil {
		return err
	}
	return h.render(w, r, h.pages.result, http.StatusOK, rep.Panel, resultData{R: rep, History: hist, Corrections: amend.Corrections(hist),
		Amend: h.rights.amend != nil})
}
