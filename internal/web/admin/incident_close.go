package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// closeIncident closes an incident: POST
// /admin/compliance/incidents/{id}/close. A breach whose notices are not
// sent stays open (its clock is running); the page says why.
func (h *Handlers) closeIncident(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	if err := h.people.Incidents.Close(r.Context(), t.ID, r.PathValue("id")); err != nil {
		return h.failIncident(w, r, f, "close", err)
	}
	return seeOther(w, r, "/admin/compliance/incidents", "closed")
}
