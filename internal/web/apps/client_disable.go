package apps

import (
	"net/http"

	"github.com/salvehealth/salve/internal/oauth"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// requestDisable takes POST /admin/apps/{id}/disable (reason): a request
// to disable an app, which takes effect when a second person approves it;
// from then every token of the app is refused. Another tenant's app is the
// same 404 as a missing one.
func (h *Handlers) requestDisable(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	tid := tenant.FromContext(r.Context()).ID
	if _, err := h.oauth.Client(r.Context(), tid, r.PathValue("id")); err != nil {
		return err
	}
	if _, err := h.changes.Request(r.Context(), tid, oauth.ChangeKind, r.PathValue("id"), map[string]string{"enabled": "no"}, f.Value("reason")); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.clientsPage(w, r, status, f)
	}
	return h.clientsPage(w, r, http.StatusOK, &web.Form{Done: "Your request to disable the app is recorded; it stops when another admin or the compliance officer approves it."})
}
