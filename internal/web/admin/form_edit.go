package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
)

// editForm renders GET /admin/forms/{id}: the builder with the form's current
// version. Saving makes the next version; earlier answers keep theirs.
func (h *FormPages) editForm(w http.ResponseWriter, r *http.Request) error {
	f, err := h.forms.Get(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.builderPage(w, r, http.StatusOK, f.ID, f.Version, f.Definition, nil)
}
