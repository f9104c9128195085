package apps

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
)

// revoke takes POST /oauth/revoke (RFC 7009: token, client_id): a refresh
// token ends the app's grant (every token of it), an access token itself.
// An unknown token answers 200 like a revoked one.
func (h *Handlers) revoke(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return oauthJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "The form could not be read."})
	}
	if err := h.oauth.Revoke(r.Context(), tenant.FromContext(r.Context()).ID, clientID(r, f), f.Get("token")); err != nil {
		return oauthError(w, err)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	return nil
}
