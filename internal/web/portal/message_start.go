package portal

import (
	"net/http"
	"strings"

	"github.com/salvehealth/salve/internal/messaging"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// start takes a new thread: POST /account/messages (multipart: for, team,
// about, subject, body, file). The file is checked by its content, never
// its name, and may be at most 10 MB; bad input shows the form again with
// each error and what was typed, and stores nothing.
func (h *Messages) start(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	up, err := web.ReadUpload(w, r, "file", messaging.MaxAttachment, "for", "team", "about", "subject", "body")
	f := up.Form
	patient := sess.UserID
	if v := f.Value("for"); v != "" {
		patient = v
	}
	fail := func(err error) error {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.newPage(w, r, status, f, patient)
	}
	if err != nil {
		return fail(err)
	}
	in := messaging.NewThread{TeamID: f.Value("team"), Subject: f.Value("subject"), Body: f.Value("body"),
		File: messaging.File{Data: up.File, TooLarge: up.TooLarge, Sniffed: up.Sniffed}}
	if kind, id, ok := strings.Cut(f.Value("about"), ":"); ok {
		in.AboutKind, in.AboutID = messaging.About(kind), id
	}
	t, err := h.messages.Start(r.Context(), tenant.FromContext(r.Context()).ID, patient, in)
	if err != nil {
		return fail(err)
	}
	// Not an open redirect: a path of this site with the id the service
	// made for the new thread.
	http.Redirect(w, r, "/account/messages/"+t.ID+"?done=sent", http.StatusSeeOther) //nolint:gosec // G710: see above
	return nil
}
