package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// disagreeAmendment files a statement of disagreement with a denial: POST
// /account/amendments/{id}/disagree. Once only; it then travels with the
// record. Bad input shows the page again with the error, keeping the text.
func (h *Handlers) disagreeAmendment(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	a, err := h.rights.amend.Disagree(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"), f.Value("statement"))
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.amendmentPage(w, r, status, f)
	}
	// Not an open redirect: a local path with the stored id and a fixed key.
	http.Redirect(w, r, "/account/amendments/"+a.ID+"?done=disagreed", http.StatusSeeOther) //nolint:gosec // see above
	return nil
}
