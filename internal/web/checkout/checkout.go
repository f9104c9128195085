// Package checkout is the signed-in patient's orders (list, detail, reorder,
// pay) and lists.
// One file per action; routes in routes.go. Orders are PHI: every page here
// opens them through the order service, which audits each view.
package checkout

import (
	"net/http"

	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/lists"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/web"
)

// Handlers serve the order pages.
type Handlers struct {
	site    *web.Site
	carts   *cart.Service
	cookies web.CartCookies
	orders  *orders.Service
	lists   *lists.Service
	pages   map[string]*render.Page
}

// New returns the handlers; a missing template fails here.
func New(site *web.Site, carts *cart.Service, cookies web.CartCookies, ord *orders.Service, lst *lists.Service) (*Handlers, error) {
	h := &Handlers{site: site, carts: carts, cookies: cookies, orders: ord, lists: lst, pages: map[string]*render.Page{}}
	for _, n := range []string{"orders/list", "orders/show", "orders/lists"} {
		p, err := site.Engine().Page(n)
		if err != nil {
			return nil, err
		}
		h.pages[n] = p
	}
	return h, nil
}

// render shows a page; none of them may be stored by a browser or a proxy.
func (h *Handlers) render(w http.ResponseWriter, r *http.Request, status int, page, title string, data any) error {
	w.Header().Set("Cache-Control", "no-store")
	return h.pages[page].Render(w, status, h.site.View(r, title, data))
}
