package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/messaging"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// messageRow is one message as the patient's side reads it.
type messageRow struct {
	messaging.Post
	From string
	Mine bool
}

// messageData is a thread with its reply form.
type messageData struct {
	T     *messaging.Thread
	Rows  []messageRow
	Form  *web.Form
	Own   bool
	MaxMB int
}

// sentDone is the confirmation after a message went (a fixed text: nothing
// from the URL is shown).
const sentDone = "Your message is sent. We email you when the team answers; the answer shows here."

// show renders GET /account/messages/{id}: the thread, oldest message
// first, each file linked by its id, and the reply form. Opening it marks
// the team's messages read. Another patient's thread (without a grant of
// the messages class), another tenant's and an unknown id are the same
// 404; the view is audited.
func (h *Messages) show(w http.ResponseWriter, r *http.Request) error {
	f := &web.Form{}
	if r.URL.Query().Get("done") == "sent" {
		f.Done = sentDone
	}
	return h.threadPage(w, r, http.StatusOK, f)
}

func (h *Messages) threadPage(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t, err := h.messages.Open(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := messageData{T: t, Form: f, Own: t.PatientID == sess.UserID, MaxMB: messaging.MaxAttachment >> 20}
	for _, p := range t.Posts {
		row := messageRow{Post: p, Mine: p.AuthorID == sess.UserID}
		switch {
		case row.Mine:
			row.From = "You"
		case p.Side == messaging.SideStaff:
			row.From = t.Team.Name
		case p.AuthorID == t.PatientID:
			row.From = "The patient"
		case d.Own:
			row.From = "Someone you share your record with"
		default:
			row.From = "Someone acting for the patient"
		}
		d.Rows = append(d.Rows, row)
	}
	return h.render(w, r, h.pages.thread, status, t.Subject, d)
}
