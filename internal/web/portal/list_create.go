package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// createList makes a shopping list: POST /account/lists (name).
func (h *Handlers) createList(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	if _, err := h.lists.Create(r.Context(), tenant.FromContext(r.Context()).ID, sess.UserID, f.Value("name")); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.listsPage(w, r, status, f)
	}
	http.Redirect(w, r, "/account/lists", http.StatusSeeOther)
	return nil
}
