package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/messaging"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// setStatus opens or closes a thread: POST /staff/messages/{id}/status
// (status: open or closed). A patient's next message reopens it.
func (h *Messages) setStatus(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := h.messages.SetStatus(r.Context(), tenant.FromContext(r.Context()).ID, id, messaging.Status(f.Value("status"))); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.threadPage(w, r, status, f)
	}
	http.Redirect(w, r, "/staff/messages/"+id+"?done=status", http.StatusSeeOther)
	return nil
}
