package team

import (
	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/httpx"
)

// Routes registers the admin routes (class Admin: the admin role, signed in
// with MFA) and the staff routes of emergency access and its review.
func (h *Handlers) Routes(rt *httpx.Router) {
	rt.Handle(access.Admin, "GET /admin", h.showUsers)
	rt.Handle(access.Admin, "POST /admin/users/invite", h.invite)
	rt.Handle(access.Admin, "POST /admin/users/{id}/role", h.setRole)
	rt.Handle(access.Admin, "POST /admin/users/{id}/disable", h.setDisabled(true))
	rt.Handle(access.Admin, "POST /admin/users/{id}/enable", h.setDisabled(false))
	rt.Handle(access.Admin, "GET /admin/outbox", h.showOutbox)
	reviewers := httpx.Roles(access.RoleCompliance, access.RoleAdmin)
	rt.Handle(access.Staff, "GET /admin/break-glass", h.showReviews, reviewers)
	rt.Handle(access.Staff, "POST /admin/break-glass/{id}/review", h.review, reviewers)
}
