package admin

import (
	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/httpx"
)

// Routes registers every admin route (class Admin: the admin role, signed in
// with MFA).
func (h *Handlers) Routes(rt *httpx.Router) {
	rt.Handle(access.Admin, "GET /admin", h.showUsers)
	rt.Handle(access.Admin, "POST /admin/users/invite", h.invite)
	rt.Handle(access.Admin, "POST /admin/users/{id}/role", h.setRole)
	rt.Handle(access.Admin, "POST /admin/users/{id}/disable", h.setDisabled(true))
	rt.Handle(access.Admin, "POST /admin/users/{id}/enable", h.setDisabled(false))
	rt.Handle(access.Admin, "GET /admin/outbox", h.showOutbox)
}
