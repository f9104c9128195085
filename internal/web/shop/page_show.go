package shop

import (
	"html/template"
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/tenant"
)

type landingData struct {
	Title string
	Body  template.HTML
}

// showPage renders a published landing page: /pages/{slug}.
func (h *Handlers) showPage(w http.ResponseWriter, r *http.Request) error {
	slug := r.PathValue("slug")
	if !catalog.ValidSlug(slug) {
		return apperr.NotFoundError()
	}
	return h.serveCached(w, r, h.landing, slug, func() (string, any, error) {
		p, err := h.catalog.PageBySlug(r.Context(), tenant.FromContext(r.Context()).ID, slug)
		if err != nil {
			return "", nil, err
		}
		if !p.Published {
			return "", nil, apperr.NotFoundError()
		}
		// Sanitized when it was saved (internal/markup).
		return p.Title, landingData{Title: p.Title, Body: template.HTML(p.BodyHTML)}, nil //nolint:gosec // rendered by internal/markup on save
	})
}
