package tokens

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apitokens"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// revokeToken takes POST /account/tokens/{id}/revoke or
// /admin/tokens/{id}/revoke: the token is refused from its very next
// request. Another patient's token, or an unknown id, is the same 404 as
// any missing page.
func (h *Handlers) revokeToken(w http.ResponseWriter, r *http.Request) error {
	k, owner, err := kind(r)
	if err != nil {
		return err
	}
	if k == apitokens.KindService {
		owner = "" // any admin of the tenant revokes its service tokens
	}
	if err := h.tokens.Revoke(r.Context(), tenant.FromContext(r.Context()).ID, k, owner, r.PathValue("id")); err != nil {
		return err
	}
	return h.show(w, r, http.StatusOK, &web.Form{Done: "The token is revoked: it no longer works."}, nil)
}
