package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/tenant"
)

type pagesData struct {
	State formState
	Pages []catalog.Page
}

type pageForm struct {
	State  formState
	P      catalog.Page
	Action string
}

// listPages shows the landing pages: GET /admin/catalog/pages.
func (h *Handlers) listPages(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.catalog.Pages(r.Context(), tenant.FromContext(r.Context()).ID)
	if err != nil {
		return err
	}
	return h.render(w, r, h.pages, "Landing pages", pagesData{State: stateFrom(r, nil), Pages: ps}, nil)
}

// newPage shows an empty landing page form: GET /admin/catalog/pages/new.
func (h *Handlers) newPage(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, h.pageForm, "New page", pageForm{Action: "/admin/catalog/pages"}, nil)
}

// editPage shows a landing page's form: GET /admin/catalog/pages/{slug}.
func (h *Handlers) editPage(w http.ResponseWriter, r *http.Request) error {
	p, err := h.catalog.PageBySlug(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("slug"))
	if err != nil {
		return err
	}
	return h.render(w, r, h.pageForm, "Edit "+p.Title, pageForm{State: stateFrom(r, nil), P: *p, Action: "/admin/catalog/pages/" + p.Slug}, nil)
}

// savePage creates (POST /admin/catalog/pages) or updates (POST
// /admin/catalog/pages/{slug}) a landing page; its markdown is sanitized on save.
func (h *Handlers) savePage(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	p := catalog.Page{TenantID: t.ID}
	action := "/admin/catalog/pages"
	if slug := r.PathValue("slug"); slug != "" {
		old, err := h.catalog.PageBySlug(r.Context(), t.ID, slug)
		if err != nil {
			return err
		}
		p.ID = old.ID
		action += "/" + slug
	}
	p.Title, p.Slug, p.Body, p.Published = r.FormValue("title"), r.FormValue("slug"), r.FormValue("body"), r.FormValue("published") == "1"
	if err := h.catalog.SavePage(r.Context(), &p); err != nil {
		return h.render(w, r, h.pageForm, "Edit page", pageForm{State: stateFrom(r, err), P: p, Action: action}, err)
	}
	return seeOther(w, r, "/admin/catalog/pages/"+p.Slug, "saved")
}

// deletePage deletes a landing page: POST /admin/catalog/pages/{slug}/delete.
func (h *Handlers) deletePage(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	p, err := h.catalog.PageBySlug(r.Context(), t.ID, r.PathValue("slug"))
	if err != nil {
		return err
	}
	if err := h.catalog.DeletePage(r.Context(), t.ID, p.ID); err != nil {
		return err
	}
	return seeOther(w, r, "/admin/catalog/pages", "deleted")
}
