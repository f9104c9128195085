package storefront

import (
	"net/http"
)

// showHome renders the tenant's home page.
func (h *Handlers) showHome(w http.ResponseWriter, r *http.Request) error {
	return h.home.Render(w, http.StatusOK, h.site.View(r, "", nil))
}
