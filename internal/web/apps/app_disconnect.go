package apps

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// disconnect takes POST /account/apps/{id}/revoke: every token the app
// holds for this patient is refused from its next request. Another
// patient's grant, or an unknown id, is the same 404 as any missing page.
func (h *Handlers) disconnect(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	if err := h.oauth.RevokeGrant(r.Context(), tenant.FromContext(r.Context()).ID, sess.UserID, r.PathValue("id")); err != nil {
		return err
	}
	return h.showConnected(w, r, http.StatusOK, &web.Form{Done: "The app is disconnected: it can no longer read anything."})
}
