package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/incidents"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// createIncident records an incident: POST /admin/compliance/incidents
// (title, discovered_on, description, breach_type, systems, data_classes).
// Bad input shows the form again with what was typed and records nothing.
func (h *Handlers) createIncident(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	inc, err := h.people.Incidents.Create(r.Context(), t.ID, incidents.Input{Title: f.Value("title"), DiscoveredOn: f.Value("discovered_on"),
		Description: f.Value("description"), BreachType: f.Value("breach_type"), Systems: f.Values["systems"], DataClasses: f.Values["data_classes"]})
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.incidentsPage(w, r, status, incidentsData{Form: f})
	}
	return seeOther(w, r, "/admin/compliance/incidents/"+inc.ID, "created")
}
