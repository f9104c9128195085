package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// extendAmendment takes the one 30-day extension, with a reason the
// patient reads: POST /staff/amendments/{id}/extend. A second extension is
// refused with a clear message on the page.
func (h *Handlers) extendAmendment(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	a, err := h.amend.svc.Extend(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"), f.Value("extension_reason"))
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.amendmentPage(w, r, status, f)
	}
	// Not an open redirect: a local path with the stored id and a fixed key.
	http.Redirect(w, r, "/staff/amendments/"+a.ID+"?done=extended", http.StatusSeeOther) //nolint:gosec // see above
	return nil
}
