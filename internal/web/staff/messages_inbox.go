package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/messaging"
	"github.com/salvehealth/salve/internal/tenant"
)

// inboxData is the staff inbox with its filters.
type inboxData struct {
	Items  []messaging.InboxItem
	Teams  []messaging.Team
	Filter messaging.InboxFilter
	Unread int
}

// inbox renders GET /staff/messages: the threads of the teams the viewer is
// on, latest first, with unread counts, assignee and status; filtered by
// ?team={id}, ?status=open|closed|all (open by default) and ?mine=1. It
// shows only what is stored in the clear, so it opens no one's record; the
// thread's page does, audited.
func (h *Messages) inbox(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := messaging.InboxFilter{TeamID: q.Get("team"), Status: messaging.Open, Mine: q.Get("mine") == "1"}
	switch q.Get("status") {
	case "closed":
		f.Status = messaging.Closed
	case "all":
		f.Status = ""
	}
	items, teams, err := h.messages.Inbox(r.Context(), tenant.FromContext(r.Context()).ID, f)
	if err != nil {
		return err
	}
	d := inboxData{Items: items, Teams: teams, Filter: f}
	for _, it := range items {
		d.Unread += it.Unread
	}
	return h.render(w, r, h.pages.inbox, http.StatusOK, "Messages", d)
}
