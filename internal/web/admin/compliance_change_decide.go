package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// approveChange applies a pending change as its second person: POST
// /admin/compliance/changes/{id}/approve (field note). Approving one's
// own request is refused with the reason, and changes nothing.
// errNoChanges answers a security setting's form on a server without the
// change service: the setting is not changed without approval.
var errNoChanges = apperr.New(apperr.Unavailable, "Security settings change through approvals, which this server does not offer.")

func (h *Handlers) approveChange(w http.ResponseWriter, r *http.Request) error {
	return h.decideChange(w, r, true)
}

// rejectChange refuses a pending change; the setting stays as it was:
// POST /admin/compliance/changes/{id}/reject (field note).
func (h *Handlers) rejectChange(w http.ResponseWriter, r *http.Request) error {
	return h.decideChange(w, r, false)
}

func (h *Handlers) decideChange(w http.ResponseWriter, r *http.Request, approve bool) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	done := "The change was rejected; the setting is as it was."
	if approve {
		_, err = h.people.Changes.Approve(r.Context(), t.ID, r.PathValue("id"), f.Value("note"))
		done = "The change was approved and is in effect."
	} else {
		_, err = h.people.Changes.Reject(r.Context(), t.ID, r.PathValue("id"), f.Value("note"))
	}
	if err != nil {
		// The two-person rule's refusal is shown on the page, with 403.
		if e := apperr.As(err); e != nil && e.Code == apperr.Forbidden {
			f.Message = e.Message
			return h.changesPage(w, r, http.StatusForbidden, f)
		}
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.changesPage(w, r, status, f)
	}
	return h.changesPage(w, r, http.StatusOK, &web.Form{Done: done})
}
