package portal

import "net/http"

// restoreWidget shows a hidden widget again, last on the dashboard:
// POST /account/dashboard/{key}/restore.
func (h *Handlers) restoreWidget(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("key")
	if err := h.dashboard.Restore(r.Context(), key); err != nil {
		return err
	}
	backToDashboard(w, r, key)
	return nil
}
