package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/messaging"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// aboutOption is an order or a prescription a new thread may be about.
type aboutOption struct{ Value, Label string }

// newMessageData is the new-thread form.
type newMessageData struct {
	Form  *web.Form
	Teams []messaging.Team
	About []aboutOption
	For   string
	MaxMB int
}

// showNew renders GET /account/messages/new: whom to write to (the tenant's
// teams), a subject, the message, an optional order or prescription it is
// about and an optional file. With ?for={id}, for a person who granted the
// messages class.
func (h *Messages) showNew(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	patient, forID := forPatient(r, sess.UserID)
	f := &web.Form{Values: map[string][]string{"for": {forID}}}
	// A team chosen on the link (the dashboard's, a page's "write to the
	// pharmacy") is preselected; it is an id, nothing personal.
	if t := r.URL.Query().Get("team"); t != "" {
		f.Values.Set("team", t)
	}
	return h.newPage(w, r, http.StatusOK, f, patient)
}

// newPage renders the form, again with its errors after a failed post. The
// page first checks that the viewer may write the patient's messages, so a
// proxy without the grant sees the same 404 as a missing page.
func (h *Messages) newPage(w http.ResponseWriter, r *http.Request, status int, f *web.Form, patient string) error {
	ctx := r.Context()
	t := tenant.FromContext(ctx)
	if _, err := h.messages.Threads(ctx, t.ID, patient); err != nil {
		return err
	}
	teams, err := h.messages.TeamNames(ctx, t.ID)
	if err != nil {
		return err
	}
	d := newMessageData{Form: f, Teams: teams, For: f.Value("for"), MaxMB: messaging.MaxAttachment >> 20}
	// What the thread may be about: the orders and prescriptions the viewer
	// may see of the patient (a proxy without those grants gets none).
	if h.orders != nil {
		if list, err := h.orders.List(ctx, t.ID, patient); err == nil {
			for _, o := range list {
				d.About = append(d.About, aboutOption{Value: "order:" + o.ID, Label: "Order " + o.Reference + " of " + o.CreatedAt.Format("2 Jan 2006")})
			}
		}
	}
	if h.rx != nil {
		if list, err := h.rx.List(ctx, t.ID, patient); err == nil {
			for _, p := range list {
				d.About = append(d.About, aboutOption{Value: "prescription:" + p.ID, Label: "Prescription: " + p.Title()})
			}
		}
	}
	return h.render(w, r, h.pages.start, status, "New message", d)
}
