package shop

import (
	"net/http"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/tenant"
)

// homeData is what the home page shows besides its fixed text.
type homeData struct {
	Categories []catalog.Category
}

// showHome renders the tenant's home page with its categories (cached: it is
// the same for everyone).
func (h *Handlers) showHome(w http.ResponseWriter, r *http.Request) error {
	return h.serveCached(w, r, h.home, "", func() (string, any, error) {
		cats, err := h.catalog.Categories(r.Context(), tenant.FromContext(r.Context()).ID)
		if err != nil {
			return "", nil, err
		}
		return "", homeData{Categories: cats}, nil
	})
}
