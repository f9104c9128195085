// Package fulfil is the staff side of orders: the queue of orders that wait
// for work, an order's page, and the steps that move it on (release after
// prescription verification, prepare, ship, deliver, cancel, refund, mark an
// invoice paid). For customer service, pharmacists and fulfillment only
// (httpx.Roles on every route; orders.Service.Advance checks each step's
// role again). One file per action; routes in routes.go. An order's details
// are PHI: they are opened through the order service, which audits each view
// with the staff member's purpose.
package fulfil

import (
	"net/http"

	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/web"
)

// Handlers serve the staff order pages.
type Handlers struct {
	site   *web.Site
	orders *orders.Service
	queue  *render.Page
	order  *render.Page
}

// New returns the handlers; a missing template fails here.
func New(site *web.Site, ord *orders.Service) (*Handlers, error) {
	h := &Handlers{site: site, orders: ord}
	if err := site.Pages(map[string]**render.Page{"fulfil/queue": &h.queue, "fulfil/order": &h.order}); err != nil {
		return nil, err
	}
	return h, nil
}

// render shows a page. Why no-store: the order page holds PHI, and even the
// queue says who works on what; neither may be kept by a browser or proxy.
func (h *Handlers) render(w http.ResponseWriter, r *http.Request, p *render.Page, status int, title string, data any) error {
	w.Header().Set("Cache-Control", "no-store")
	return p.Render(w, status, h.site.View(r, title, data))
}
