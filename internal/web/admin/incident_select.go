package admin

import (
	"net/http"
	"time"

	"github.com/salvehealth/salve/internal/incidents"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// selectAffected selects the people affected from the audit log: POST
// /admin/compliance/incidents/{id}/affected (kind, actor, from, to; the
// window in UTC). The query shapes are fixed (incidents.Selection): never
// free SQL.
func (h *Handlers) selectAffected(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	q := incidents.Selection{Kind: incidents.SelectionKind(f.Value("kind")), ActorID: f.Value("actor"),
		From: parseMinute(f.Value("from")), To: parseMinute(f.Value("to"))}
	if q.Kind == incidents.Everyone {
		q.ActorID = ""
	}
	t := tenant.FromContext(r.Context())
	id := r.PathValue("id")
	if _, err := h.people.Incidents.SelectAffected(r.Context(), t.ID, id, q); err != nil {
		return h.failIncident(w, r, f, "select", err)
	}
	return seeOther(w, r, "/admin/compliance/incidents/"+id, "selected")
}

// parseMinute reads a datetime-local value (UTC); zero when unreadable,
// which the selection's check names.
func parseMinute(s string) time.Time {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
