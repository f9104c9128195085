package admin

import (
	"net/http"
	"strconv"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/tenant"
)

type categoriesData struct {
	State      formState
	Categories []catalog.Category
	Draft      catalog.Category
}

// listCategories shows the categories with a form to add one:
// GET /admin/catalog/categories.
func (h *Handlers) listCategories(w http.ResponseWriter, r *http.Request) error {
	return h.showCategories(w, r, catalog.Category{}, nil)
}

func (h *Handlers) showCategories(w http.ResponseWriter, r *http.Request, draft catalog.Category, err error) error {
	cats, lerr := h.catalog.Categories(r.Context(), tenant.FromContext(r.Context()).ID)
	if lerr != nil {
		return lerr
	}
	return h.render(w, r, h.categories, "Categories", categoriesData{State: stateFrom(r, err), Categories: cats, Draft: draft}, err)
}

// saveCategory adds (no id) or changes (id) a category: POST /admin/catalog/categories.
func (h *Handlers) saveCategory(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	c := catalog.Category{ID: r.FormValue("id"), TenantID: t.ID, Name: r.FormValue("name"), Slug: r.FormValue("slug"),
		Description: r.FormValue("description")}
	if c.ID != "" {
		cats, err := h.catalog.Categories(r.Context(), t.ID)
		if err != nil {
			return err
		}
		found := false
		for _, x := range cats {
			found = found || x.ID == c.ID
		}
		if !found {
			return apperr.NotFoundError()
		}
	}
	if s := r.FormValue("position"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 10000 {
			return h.showCategories(w, r, c, apperr.InvalidFields("The position must be a whole number.", map[string]string{"position": "Use 0 to 10000."}))
		}
		c.Position = n
	}
	if err := h.catalog.SaveCategory(r.Context(), &c); err != nil {
		return h.showCategories(w, r, c, err)
	}
	return seeOther(w, r, "/admin/catalog/categories", "saved")
}

// deleteCategory deletes a category; its products become uncategorized:
// POST /admin/catalog/categories/{id}/delete.
func (h *Handlers) deleteCategory(w http.ResponseWriter, r *http.Request) error {
	if err := h.catalog.DeleteCategory(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id")); err != nil {
		return err
	}
	return seeOther(w, r, "/admin/catalog/categories", "deleted")
}
