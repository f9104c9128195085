package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/messaging"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// staffMessageRow is one message as the team reads it.
type staffMessageRow struct {
	messaging.Post
	From string
}

// staffThreadData is a thread for a member of its team.
type staffThreadData struct {
	T     *messaging.StaffThread
	Rows  []staffMessageRow
	Form  *web.Form
	Me    string
	About string
	MaxMB int
}

// show renders GET /staff/messages/{id}: the thread with who wrote each
// message, the order or prescription it is about (linked to its staff
// page), the reply form, assignment and status. Opening it marks the
// patient's messages read for the team; the view is audited. Another team's
// thread, a clinician's thread of a patient they do not care for, another
// tenant's and an unknown id are the same 404.
func (h *Messages) show(w http.ResponseWriter, r *http.Request) error {
	f := &web.Form{Done: map[string]string{"sent": "Your answer is sent; the patient gets an email saying there is a new message.",
		"assigned": "The assignment is saved.", "status": "The status is saved."}[r.URL.Query().Get("done")]}
	return h.threadPage(w, r, http.StatusOK, f)
}

func (h *Messages) threadPage(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t, err := h.messages.ForStaff(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := staffThreadData{T: t, Form: f, Me: sess.UserID, MaxMB: messaging.MaxAttachment >> 20}
	switch t.AboutKind {
	case messaging.AboutOrder:
		d.About = "/staff/orders/" + t.AboutID
	case messaging.AboutPrescription:
		d.About = "/staff/prescriptions/" + t.AboutID
	}
	for _, p := range t.Posts {
		row := staffMessageRow{Post: p}
		switch {
		case p.AuthorID == sess.UserID:
			row.From = "You"
		case p.Side == messaging.SideStaff:
			row.From = "A former member of the team"
			for _, m := range t.Members {
				if m.ID == p.AuthorID {
					row.From = m.Name
				}
			}
		case p.AuthorID == t.PatientID:
			row.From = "The patient"
		default:
			row.From = "A person acting for the patient (proxy)"
		}
		d.Rows = append(d.Rows, row)
	}
	return h.render(w, r, h.pages.thread, status, "Message thread", d)
}
