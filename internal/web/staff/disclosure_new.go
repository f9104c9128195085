package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/web"
)

// disclosureDone is the confirmation after a disclosure was recorded
// (?done=1; a fixed text, nothing from the URL is shown).
const disclosureDone = "Recorded. The patient sees it in their accounting of disclosures."

// showNew renders the form: GET /staff/patients/{id}/disclosures. The form
// shows nothing of the patient; whether this staff member may record one
// for them is decided when it is sent (a malformed id is a 404 here).
func (h *Disclosures) showNew(w http.ResponseWriter, r *http.Request) error {
	if !id.Valid(r.PathValue("id")) {
		return apperr.NotFoundError()
	}
	f := &web.Form{}
	if r.URL.Query().Get("done") == "1" {
		f.Done = disclosureDone
	}
	return h.render(w, r, http.StatusOK, f)
}
