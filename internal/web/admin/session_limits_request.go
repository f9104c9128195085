package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// requestSessionLimits asks to change the tenant's session limits: POST
// /admin/compliance/changes/session-limits (fields staff_idle_minutes,
// patient_idle_minutes, absolute_minutes, reason). Nothing changes until a
// second person approves on the same page; bad input shows the form again
// with what was typed, and nothing is recorded.
func (h *Handlers) requestSessionLimits(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	after := map[string]string{"staff_idle_minutes": f.Value("staff_idle_minutes"), "patient_idle_minutes": f.Value("patient_idle_minutes"),
		"absolute_minutes": f.Value("absolute_minutes")}
	if _, err := h.people.Changes.Request(r.Context(), t.ID, changes.KindSessionLimits, "sessions", after, f.Value("reason")); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.changesPage(w, r, status, f)
	}
	return h.changesPage(w, r, http.StatusOK, &web.Form{Done: "Your request is recorded; the limits change when another admin or the compliance officer approves it."})
}
