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
	// Form is the title of the form on the page (a contact or sign-up
	// form), sent at /pages/{slug}/form; empty when there is none.
	Form, FormHref string
}

// showPage renders a published landing page: /pages/{slug}.
func (h *Handlers) showPage(w http.ResponseWriter, r *http.Request) error {
	slug := r.PathValue("slug")
	if !catalog.ValidSlug(slug) {
		return apperr.NotFoundError()
	}
	// A page with a form is shown uncached: the form is attached in the
	// form builder, which does not move the catalog version the cache
	// keys on. Only processes with the PHI store take answers (h.Forms).
	if h.Forms != nil {
		tid := tenant.FromContext(r.Context()).ID
		if f, err := h.Forms.OnPage(r.Context(), tid, slug); err == nil {
			p, err := h.catalog.PageBySlug(r.Context(), tid, slug)
			if err != nil {
				return err
			}
			if !p.Published {
				return apperr.NotFoundError()
			}
			return h.site.Render(w, r, h.landing, http.StatusOK, p.Title, landingData{Title: p.Title,
				Body: template.HTML(p.BodyHTML), Form: f.Title, FormHref: "/pages/" + slug + "/form"}) //nolint:gosec // rendered by internal/markup on save
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
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
