package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// acknowledgeResult clears a critical report's alert: POST
// /staff/results/{id}/acknowledge, by the ordering clinician only (anyone
// else, and an unknown id, get the same 404).
func (h *Handlers) acknowledgeResult(w http.ResponseWriter, r *http.Request) error {
	if err := h.Labs.Acknowledge(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id")); err != nil {
		return err
	}
	return h.renderResults(w, r, http.StatusOK, &web.Form{Done: "Marked as reviewed."})
}
