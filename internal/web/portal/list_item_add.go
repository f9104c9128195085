package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// addListItem puts a variant on a list: POST /account/lists/{id}/items
// (variant, quantity; {id} "wish" is the wish list, made on first use). The
// product page's "Save to wish list" form posts here.
func (h *Handlers) addListItem(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	qty := int64(1)
	if f.Value("quantity") != "" {
		qty, err = cart.ParseQuantity(f.Value("quantity"))
	}
	if err == nil {
		err = h.lists.Add(r.Context(), tenant.FromContext(r.Context()).ID, sess.UserID, r.PathValue("id"), f.Value("variant"), qty)
	}
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.listsPage(w, r, status, f)
	}
	http.Redirect(w, r, "/account/lists", http.StatusSeeOther)
	return nil
}
