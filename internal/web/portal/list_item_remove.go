package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// removeListItem takes a variant off a list:
// POST /account/lists/{id}/items/{variant}/remove.
func (h *Handlers) removeListItem(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	if err := h.lists.Remove(r.Context(), tenant.FromContext(r.Context()).ID, sess.UserID, r.PathValue("id"), r.PathValue("variant")); err != nil {
		return err
	}
	http.Redirect(w, r, "/account/lists", http.StatusSeeOther)
	return nil
}
