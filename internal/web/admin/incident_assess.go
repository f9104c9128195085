package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/incidents"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// assessIncident records the four-factor risk assessment and its
// conclusion: POST /admin/compliance/incidents/{id}/assessment (nature,
// recipient, acquired, mitigation, conclusion).
func (h *Handlers) assessIncident(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	id := r.PathValue("id")
	if _, err := h.people.Incidents.Assess(r.Context(), t.ID, id, incidents.Assessment{Nature: f.Value("nature"), Recipient: f.Value("recipient"),
		Acquired: f.Value("acquired"), Mitigation: f.Value("mitigation"), Conclusion: incidents.Conclusion(f.Value("conclusion"))}); err != nil {
		return h.failIncident(w, r, f, "assess", err)
	}
	return seeOther(w, r, "/admin/compliance/incidents/"+id, "assessed")
}
