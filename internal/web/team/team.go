// Package team is the staff side of accounts and grants: the administrator's
// pages (staff accounts, roles, invitations, disabling and enabling, and in
// the demo the outbox of emails that would have been sent), the clinicians'
// emergency access and its compliance review. (The catalog's admin pages are
// in package admin.) One file per action; routes in routes.go.
package team

import (
	"net/http"

	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/web"
)

// Handlers serve the admin pages.
type Handlers struct {
	site     *web.Site
	accounts *accounts.Service
	grants   *grants.Service
	outbox   *outbox.Outbox
	// showOutbox turns on the page of queued emails: only where no mail
	// server is configured (the demo), since it shows one-time links.
	outboxOn   bool
	users      *render.Page
	mail       *render.Page
	reviewPage *render.Page
}

// New returns the handlers; a missing template fails here.
func New(site *web.Site, acc *accounts.Service, gr *grants.Service, ob *outbox.Outbox, outboxOn bool) (*Handlers, error) {
	h := &Handlers{site: site, accounts: acc, grants: gr, outbox: ob, outboxOn: outboxOn}
	if err := site.Pages(map[string]**render.Page{"team/users": &h.users, "team/outbox": &h.mail,
		"team/reviews": &h.reviewPage}); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *Handlers) render(w http.ResponseWriter, r *http.Request, p *render.Page, status int, title string, data any) error {
	return p.Render(w, status, h.site.View(r, title, data))
}
