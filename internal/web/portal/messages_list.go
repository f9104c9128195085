package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/messaging"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// messagesData is the list of a patient's threads.
type messagesData struct {
	Threads []*messaging.Thread
	Unread  int
	// For is the patient acted for (a proxy's view); empty for one's own.
	For, ForQuery string
}

// list renders GET /account/messages: the patient's threads, latest first,
// with their unread counts; with ?for={id}, those of a person who granted
// the messages class. One audited vault access for the list.
func (h *Messages) list(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	patient, forID := forPatient(r, sess.UserID)
	threads, err := h.messages.Threads(r.Context(), tenant.FromContext(r.Context()).ID, patient)
	if err != nil {
		return err
	}
	d := messagesData{Threads: threads, For: forID, ForQuery: forQuery(forID)}
	for _, t := range threads {
		d.Unread += t.Unread
	}
	return h.render(w, r, h.pages.list, http.StatusOK, "Messages", d)
}
