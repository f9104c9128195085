package apps

import (
	"net/http"

	"github.com/salvehealth/salve/internal/web"
)

// showApps renders GET /account/apps: the apps the patient allowed, what
// each may read, and when it last did.
func (h *Handlers) showApps(w http.ResponseWriter, r *http.Request) error {
	return h.showConnected(w, r, http.StatusOK, &web.Form{})
}
