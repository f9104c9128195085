package portal

import (
	"net/http"
	"strings"

	"github.com/salvehealth/salve/internal/web"
)

// orderWidgets sets the order of the signed-in patient's visible widgets
// after a drag and drop: POST /account/dashboard/order with order=k1,k2,...
// (posted by htmx from js/dashboard.js). An htmx request gets 204 (the page
// already shows the new order); a plain form post goes back to the
// dashboard. A list that is not exactly the visible widgets changes
// nothing.
func (h *Handlers) orderWidgets(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	if err := h.dashboard.Reorder(r.Context(), strings.Split(f.Value("order"), ",")); err != nil {
		return err
	}
	if r.Header.Get("HX-Request") == "true" {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}
