package shop

import (
	"html/template"
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/markup"
	"github.com/salvehealth/salve/internal/tenant"
)

// legalData is a legal page: its text rendered, or nothing (the empty
// state).
type legalData struct {
	Title string
	Body  template.HTML
}

// showLegal renders one of the brand's legal pages (the notice of privacy
// practices, the terms, the returns and shipping policy): GET
// /legal/{page}. The text is the brand's inherited setting (its own, a
// parent brand's or the organisation's); a brand that set none but
// published a landing page of that slug (the older way) shows that page;
// else the page says none is published and where to ask. Why
// internal/markup: the text is written by the brand's staff and shown to
// every visitor, so it is rendered by a renderer that escapes everything
// and emits only its own tags; no HTML in it reaches the page.
func (h *Handlers) showLegal(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("page")
	t := tenant.FromContext(r.Context())
	for _, lp := range tenant.LegalPages {
		if lp.Name != name {
			continue
		}
		d := legalData{Title: lp.Title}
		if text := t.Setting(lp.Key); text != "" {
			d.Body = markup.Render(text)
		} else if p, err := h.catalog.PageBySlug(r.Context(), t.ID, name); err == nil && p.Published {
			d.Body = template.HTML(p.BodyHTML) //nolint:gosec // rendered by internal/markup on save
		} else if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		return h.site.Render(w, r, h.legal, http.StatusOK, d.Title, d)
	}
	return apperr.NotFoundError()
}
