package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// notifyIncident sends a breach's individual notices: POST
// /admin/compliance/incidents/{id}/notify. Each person gets the notice in
// their portal and an email that says only to sign in.
func (h *Handlers) notifyIncident(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	id := r.PathValue("id")
	if _, err := h.people.Incidents.Notify(r.Context(), t.ID, id); err != nil {
		return h.failIncident(w, r, f, "notify", err)
	}
	return seeOther(w, r, "/admin/compliance/incidents/"+id, "notified")
}
