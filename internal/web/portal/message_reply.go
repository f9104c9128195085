package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/messaging"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// reply adds a message to a thread: POST /account/messages/{id}/reply
// (multipart: body, file). Bad input shows the thread again with the error
// and the text typed, and stores nothing.
func (h *Messages) reply(w http.ResponseWriter, r *http.Request) error {
	up, err := web.ReadUpload(w, r, "file", messaging.MaxAttachment, "body")
	f := up.Form
	fail := func(err error) error {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.threadPage(w, r, status, f)
	}
	if err != nil {
		return fail(err)
	}
	id := r.PathValue("id")
	err = h.messages.Reply(r.Context(), tenant.FromContext(r.Context()).ID, id, f.Value("body"),
		messaging.File{Data: up.File, TooLarge: up.TooLarge, Sniffed: up.Sniffed})
	if err != nil {
		return fail(err)
	}
	// Not an open redirect: a path of this site, and the id is one the
	// service just found (it refuses anything but a valid id of a thread).
	http.Redirect(w, r, "/account/messages/"+id+"?done=sent", http.StatusSeeOther) //nolint:gosec // G710: see above
	return nil
}
