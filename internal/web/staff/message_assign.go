package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// assign gives a thread to a member of its team: POST
// /staff/messages/{id}/assign (assignee: "me", a member's id, or empty for
// nobody). Someone off the team is refused with the reason.
func (h *Messages) assign(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	who := f.Value("assignee")
	if who == "me" {
		a, _ := access.ActorFrom(r.Context())
		who = a.ID
	}
	id := r.PathValue("id")
	if err := h.messages.Assign(r.Context(), tenant.FromContext(r.Context()).ID, id, who); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.threadPage(w, r, status, f)
	}
	http.Redirect(w, r, "/staff/messages/"+id+"?done=assigned", http.StatusSeeOther)
	return nil
}
