package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// revokePrivacy revokes one of the patient's authorizations: POST
// /account/privacy/{id}/revoke. Another person's or an unknown one is the
// plain 404. It takes effect on the next page view.
func (h *Handlers) revokePrivacy(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	if err := h.rights.marketing.Revoke(r.Context(), tenant.FromContext(r.Context()).ID, sess.UserID, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/account/privacy?done=revoked", http.StatusSeeOther)
	return nil
}
