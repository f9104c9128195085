package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// releaseResult releases a held report to its patient: POST
// /staff/results/{id}/release. Another clinician's patient, another
// tenant's report and an unknown id are the same 404; a report released
// meanwhile says so on the page.
func (h *Handlers) releaseResult(w http.ResponseWriter, r *http.Request) error {
	err := h.Labs.Release(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"))
	if apperr.Is(err, apperr.Conflict) {
		return h.renderResults(w, r, http.StatusConflict, &web.Form{Message: "This report was already released."})
	}
	if err != nil {
		return err
	}
	return h.renderResults(w, r, http.StatusOK, &web.Form{Done: "The report is released to the patient."})
}
