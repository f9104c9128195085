package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/messaging"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// reply answers a thread: POST /staff/messages/{id}/reply (multipart:
// body, file). Bad input shows the thread again with the error and the
// text typed, and stores nothing.
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
	if err := h.messages.Reply(r.Context(), tenant.FromContext(r.Context()).ID, id, f.Value("body"),
		messaging.File{Data: up.File, TooLarge: up.TooLarge, Sniffed: up.Sniffed}); err != nil {
		return fail(err)
	}
	http.Redirect(w, r, "/staff/messages/"+id+"?done=sent", http.StatusSeeOther)
	return nil
}
