package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/messaging"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/rx"
	"github.com/salvehealth/salve/internal/web"
)

// MaxMessageBody is the message routes' transport bound: the attachment
// limit with room for an over-large file to be read far enough to be told
// so, rather than cut off at the socket.
const MaxMessageBody = 2 * messaging.MaxAttachment

// Messages serve the patient's secure messages (issue 16) under
// /account/messages: the threads, a new thread, a thread with its reply
// form, and the attachments. Apart from Handlers so that the feature is one
// constructor and one Routes call in the server.
type Messages struct {
	site     *web.Site
	messages *messaging.Service
	orders   *orders.Service
	rx       *rx.Service
	pages    struct{ list, start, thread *render.Page }
}

// NewMessages returns the message pages; a missing template fails here.
// Orders and prescriptions (either may be nil) are offered as what a new
// thread is about.
func NewMessages(site *web.Site, m *messaging.Service, ord *orders.Service, rxs *rx.Service) (*Messages, error) {
	h := &Messages{site: site, messages: m, orders: ord, rx: rxs}
	p := &h.pages
	if err := site.Pages(map[string]**render.Page{"portal/messages": &p.list, "portal/message_new": &p.start,
		"portal/message": &p.thread}); err != nil {
		return nil, err
	}
	return h, nil
}

// Routes registers the message pages. Why patients only: the patient's
// side is the patient and their proxies (who are patients too); staff
// answer on /staff/messages. The service decides per thread again (own, or a
// proxy grant of the messages class). Posting takes a body up to twice the
// file limit (the handler says "at most 10 MB").
func (h *Messages) Routes(rt *httpx.Router) {
	patients := httpx.Roles(access.RolePatient)
	rt.Handle(access.Customer, "GET /account/messages", h.list, patients)
	rt.Handle(access.Customer, "GET /account/messages/new", h.showNew, patients)
	rt.Handle(access.Customer, "POST /account/messages", h.start, patients, httpx.MaxBody(MaxMessageBody))
	rt.Handle(access.Customer, "GET /account/messages/{id}", h.show, patients)
	rt.Handle(access.Customer, "POST /account/messages/{id}/reply", h.reply, patients, httpx.MaxBody(MaxMessageBody))
	rt.Handle(access.Customer, "GET /account/messages/attachments/{id}", h.attachment, patients)
}

// render shows a page. Why no-store: messages are PHI and none may be kept
// by a browser or a proxy.
func (h *Messages) render(w http.ResponseWriter, r *http.Request, p *render.Page, status int, title string, data any) error {
	w.Header().Set("Cache-Control", "no-store")
	return h.site.Render(w, r, p, status, title, data)
}

// forPatient is whose messages a page is about: ?for={id} (a proxy's view)
// or the signed-in patient. Another patient's id without a grant is the
// same 404 as a missing page (the service decides).
func forPatient(r *http.Request, sess string) (patient, forID string) {
	if f := r.URL.Query().Get("for"); f != "" && f != sess {
		return f, f
	}
	return sess, ""
}

// forQuery is the ?for= part of a link, empty for one's own messages.
func forQuery(forID string) string {
	if forID == "" {
		return ""
	}
	return "?for=" + forID
}
