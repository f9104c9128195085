package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/amend"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// acceptAmendment accepts a correction: POST /staff/amendments/{id}/accept
// (an optional corrected value and note). The corrected value is written
// into the record; its history keeps the old one.
func (h *Handlers) acceptAmendment(w http.ResponseWriter, r *http.Request) error {
	return h.decideAmendment(w, r, true)
}

// decideAmendment is accept and deny (amendment_deny.go). Bad input or a
// decision someone else made first shows the page again with the message.
func (h *Handlers) decideAmendment(w http.ResponseWriter, r *http.Request, accept bool) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	a, err := h.amend.svc.Decide(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"), amend.Decision{Accept: accept, Reason: reason(f, accept), Value: value(f, accept)})
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.amendmentPage(w, r, status, f)
	}
	key := "accepted"
	if !accept {
		key = "denied"
	}
	// Not an open redirect: a local path with the stored id and a fixed key.
	http.Redirect(w, r, "/staff/amendments/"+a.ID+"?done="+key, http.StatusSeeOther) //nolint:gosec // see above
	return nil
}

// value is the accept form's corrected value (empty: the patient's
// proposal); a denial writes nothing.
func value(f *web.Form, accept bool) string {
	if accept {
		return f.Value("value")
	}
	return ""
}

// reason is the accept form's note or the deny form's reason.
func reason(f *web.Form, accept bool) string {
	if accept {
		return f.Value("note")
	}
	return f.Value("reason")
}
