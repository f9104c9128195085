package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/web"
)

// shareWithBrand records the patient's consent to share parts of their
// record with a sister brand: POST /account/sharing. A form that fails its
// checks is shown again with what was chosen.
func (h *Handlers) shareWithBrand(w http.ResponseWriter, r *http.Request) error {
	if h.sharing.page == nil {
		return h.renderSharing(w, r, http.StatusOK, &web.Form{})
	}
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	if _, err := h.grants.ShareWithBrand(r.Context(), f.Value("brand"), f.Values["scopes"]); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.renderSharing(w, r, status, f)
	}
	http.Redirect(w, r, "/account/sharing?done=1", http.StatusSeeOther)
	return nil
}
