package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/web"
)

// showSharing lists what the patient shares with the organisation's other
// brands and offers to share: GET /account/sharing.
func (h *Handlers) showSharing(w http.ResponseWriter, r *http.Request) error {
	f := &web.Form{}
	if r.URL.Query().Get("done") == "1" {
		f.Done = "Shared. Staff of that brand who care for you can now see what you chose."
	}
	return h.renderSharing(w, r, http.StatusOK, f)
}
