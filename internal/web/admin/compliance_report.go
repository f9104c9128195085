package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/compliance"
	"github.com/salvehealth/salve/internal/tenant"
)

// complianceData is the compliance report page.
type complianceData struct {
	Report compliance.Report
	Failed int
}

// showCompliance checks the running system and shows the report with the
// HIPAA map: GET /admin/compliance. Staff are counted in the viewer's
// tenant; the audit log is verified against its checkpoints on each view.
func (h *Handlers) showCompliance(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	rep, err := h.people.Compliance.Report(r.Context(), t.ID)
	if err != nil {
		return err
	}
	return h.site.Render(w, r, h.complianceView, http.StatusOK, "Compliance", complianceData{Report: rep, Failed: len(rep.Failed())})
}
