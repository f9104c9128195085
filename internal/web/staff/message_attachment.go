package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// attachment serves a file of a message to a member of the thread's team:
// GET /staff/messages/attachments/{id}; audited (message.attachment).
func (h *Messages) attachment(w http.ResponseWriter, r *http.Request) error {
	a, err := h.messages.Attachment(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return web.ServeAttachment(w, a.ContentType, a.Data.Reveal())
}
