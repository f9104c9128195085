package api

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
)

// showProduct answers GET /api/v1/products/{slug}; drafts, archived and
// unknown products are the same 404 problem.
func (h *Handlers) showProduct(w http.ResponseWriter, r *http.Request) error {
	slug := r.PathValue("slug")
	return h.serveCached(w, r, "show|"+slug, func() (any, error) {
		t := tenant.FromContext(r.Context())
		p, err := h.catalog.PublicProduct(r.Context(), t.ID, slug)
		if err != nil {
			return nil, err
		}
		cats, err := h.catalog.Categories(r.Context(), t.ID)
		if err != nil {
			return nil, err
		}
		return Product{ProductSummary: summary(p, categoryMap(cats)), DescriptionHTML: p.DescriptionHTML}, nil
	})
}
