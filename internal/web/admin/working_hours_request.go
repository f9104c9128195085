package admin

import (
	"net/http"
	"strings"

	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// requestWorkingHours asks to change the tenant's working hours for the
// activity review: POST /admin/compliance/changes/working-hours (fields
// zone, start_hour, end_hour, reason). Nothing changes until a second
// person approves; bad input shows the form again, nothing recorded.
func (h *Handlers) requestWorkingHours(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	after := map[string]string{"zone": strings.TrimSpace(f.Value("zone")), "start_hour": strings.TrimSpace(f.Value("start_hour")),
		"end_hour": strings.TrimSpace(f.Value("end_hour"))}
	if _, err := h.people.Changes.Request(r.Context(), t.ID, changes.KindWorkingHours, "hours", after, f.Value("reason")); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.changesPage(w, r, status, f)
	}
	return h.changesPage(w, r, http.StatusOK, &web.Form{Done: "Your request is recorded; the working hours change when another admin or the compliance officer approves it."})
}
