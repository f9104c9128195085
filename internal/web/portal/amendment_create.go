package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/amend"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// createAmendment takes a correction request: POST /account/amendments.
// Bad input shows the form again with each field's error, keeping what was
// typed; nothing is stored.
func (h *Handlers) createAmendment(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	kind, recordID := amend.Kind(f.Value("kind")), f.Value("record")
	a, err := h.rights.amend.Request(r.Context(), tenant.FromContext(r.Context()).ID, amend.Input{Kind: kind, RecordID: recordID,
		Field: f.Value("field"), Proposed: f.Value("proposed"), Reason: f.Value("reason")})
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.amendmentForm(w, r, status, kind, recordID, f)
	}
	// Not an open redirect: a local path with the new id and a fixed key.
	http.Redirect(w, r, "/account/amendments/"+a.ID+"?done=requested", http.StatusSeeOther) //nolint:gosec // see above
	return nil
}
