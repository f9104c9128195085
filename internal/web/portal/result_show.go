package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/tenant"
)

// resultData is one report as its patient reads it.
type resultData struct {
	R *labs.Report
}

// showResult renders GET /account/results/{id}: a released report with its
// ranges and flags, each test linked to its trend. Opening it as the patient
// marks it no longer new. A held report, another patient's (without a
// proxy grant of the clinical records), another tenant's and an unknown id
// are the same 404; the view is audited.
func (h *Handlers) showResult(w http.ResponseWriter, r *http.Request) error {
	rep, err := h.labs.Get(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.render(w, r, h.pages.result, http.StatusOK, rep.Panel, resultData{R: rep})
}
