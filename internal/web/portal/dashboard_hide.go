package portal

import "net/http"

// hideWidget hides a widget of the signed-in patient's dashboard:
// POST /account/dashboard/{key}/hide. It is offered back under "Hidden
// widgets".
func (h *Handlers) hideWidget(w http.ResponseWriter, r *http.Request) error {
	if err := h.dashboard.Hide(r.Context(), r.PathValue("key")); err != nil {
		return err
	}
	http.Redirect(w, r, "/account#hidden-widgets", http.StatusSeeOther)
	return nil
}
