package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/tenant"
)

type menuData struct {
	State formState
	Text  string
}

// showMenu shows the navigation menu as editable lines: GET /admin/catalog/menu.
func (h *Handlers) showMenu(w http.ResponseWriter, r *http.Request) error {
	items, err := h.catalog.Menu(r.Context(), tenant.FromContext(r.Context()).ID)
	if err != nil {
		return err
	}
	return h.render(w, r, h.menu, "Menu", menuData{State: stateFrom(r, nil), Text: catalog.FormatMenu(items)}, nil)
}

// saveMenu replaces the menu: POST /admin/catalog/menu. Links are checked
// (same-site paths or https only).
func (h *Handlers) saveMenu(w http.ResponseWriter, r *http.Request) error {
	text := r.FormValue("menu")
	if err := h.catalog.SaveMenu(r.Context(), tenant.FromContext(r.Context()).ID, text); err != nil {
		return h.render(w, r, h.menu, "Menu", menuData{State: stateFrom(r, err), Text: text}, err)
	}
	return seeOther(w, r, "/admin/catalog/menu", "saved")
}
