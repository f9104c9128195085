package tokens

import (
	"net/http"

	"github.com/salvehealth/salve/internal/web"
)

// showTokens renders GET /account/tokens or /admin/tokens.
func (h *Handlers) showTokens(w http.ResponseWriter, r *http.Request) error {
	return h.show(w, r, http.StatusOK, &web.Form{}, nil)
}
