package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/messaging"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/web"
)

// MaxMessageBody is the reply route's transport bound: the attachment limit
// with room for an over-large file to be told so.
const MaxMessageBody = 2 * messaging.MaxAttachment

// Messages serve the staff side of secure messaging (issue 16) under
// /staff/messages: the inbox of the teams one is on, a thread with its
// reply, assignment and status, and the attachments. Apart from Handlers so
// that the feature is one constructor and one Routes call in the server.
type Messages struct {
	site     *web.Site
	messages *messaging.Service
	pages    struct{ inbox, thread *render.Page }
}

// NewMessages returns the staff message pages; a missing template fails
// here.
func NewMessages(site *web.Site, m *messaging.Service) (*Messages, error) {
	h := &Messages{site: site, messages: m}
	if err := site.Pages(map[string]**render.Page{"staff/messages": &h.pages.inbox, "staff/message": &h.pages.thread}); err != nil {
		return nil, err
	}
	return h, nil
}

// Routes registers the staff message pages. Why these roles: messages are
// the work of customer service, pharmacists and clinicians (the access
// policy's messages class); the rest of staff get the same 404 as for a
// page that does not exist. Which threads each sees is decided by the
// service: the teams they are on, and a clinician's care relationships.
func (h *Messages) Routes(rt *httpx.Router) {
	who := httpx.Roles(messaging.StaffRoles...)
	rt.Handle(access.Staff, "GET /staff/messages", h.inbox, who)
	rt.Handle(access.Staff, "GET /staff/messages/{id}", h.show, who)
	rt.Handle(access.Staff, "POST /staff/messages/{id}/reply", h.reply, who, httpx.MaxBody(MaxMessageBody))
	rt.Handle(access.Staff, "POST /staff/messages/{id}/assign", h.assign, who)
	rt.Handle(access.Staff, "POST /staff/messages/{id}/status", h.setStatus, who)
	rt.Handle(access.Staff, "GET /staff/messages/attachments/{id}", h.attachment, who)
}

// render shows a page. Why no-store: a thread is PHI, and even the inbox
// says who works on what.
func (h *Messages) render(w http.ResponseWriter, r *http.Request, p *render.Page, status int, title string, data any) error {
	w.Header().Set("Cache-Control", "no-store")
	return h.site.Render(w, r, p, status, title, data)
}
