package storefront

import (
	"net/http"
)

// showHome renders the tenant's home page (cached: it is the same for everyone).
func (h *Handlers) showHome(w http.ResponseWriter, r *http.Request) error {
	return h.serveCached(w, r, h.home, "", func() (string, any, error) { return "", nil, nil })
}
