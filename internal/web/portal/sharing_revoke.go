package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/web"
)

// revokeBrandShare withdraws one of the patient's consents: POST
// /account/sharing/{id}/revoke. Another patient's share answers 404.
func (h *Handlers) revokeBrandShare(w http.ResponseWriter, r *http.Request) error {
	if err := h.grants.RevokeBrandShare(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return h.renderSharing(w, r, http.StatusOK, &web.Form{Done: "Sharing was withdrawn: that brand sees nothing more of your record."})
}
