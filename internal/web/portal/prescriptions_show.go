package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/amend"
	"github.com/salvehealth/salve/internal/rx"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// rxRow is one prescription as the patient's page shows it.
type rxRow struct {
	ID, Title, Status, Reason string
	Strength                  string
	Tone                      string
	FillsLeft                 int
	Expires, Due, Submitted   string
	Refill                    bool
	// Amend offers a correction (a verified prescription, with the pages
	// on); History is what travels with it (issue 16).
	Amend   bool
	History []*amend.Amendment
}

type prescriptionsData struct {
	Rows []rxRow
	Form *web.Form
	// MaxMB is the upload limit in megabytes, for the hint.
	MaxMB int
}

// showPrescriptions renders the patient's prescriptions with the forms to
// upload one or name a prescriber: GET /account/prescriptions (one audited
// read for the whole list).
func (h *Handlers) showPrescriptions(w http.ResponseWriter, r *http.Request) error {
	return h.prescriptionsPage(w, r, http.StatusOK, nil)
}

// done are the confirmations of the prescription actions, chosen by ?done=
// (fixed texts: nothing from the URL is shown).
var rxDone = map[string]string{
	"uploaded":  "Thank you: your prescription is with our pharmacists. It shows here as verified once they have checked it.",
	"requested": "Thank you: our pharmacists will contact your prescriber. The prescription shows here once they have it.",
}

func (h *Handlers) prescriptionsPage(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	list, err := h.rx.List(r.Context(), t.ID, sess.UserID)
	if err != nil {
		return err
	}
	if f == nil {
		f = &web.Form{Done: rxDone[r.URL.Query().Get("done")]}
	}
	d := prescriptionsData{Form: f, MaxMB: rx.MaxUpload >> 20}
	now := h.rx.Now()
	for _, p := range list {
		row := rxRow{ID: p.ID, Title: p.Title(), Status: p.Status.Label(), Reason: p.Reason, FillsLeft: p.FillsLeft,
			Submitted: p.CreatedAt.Format("2 Jan 2006")}
		switch {
		case p.Status == rx.Rejected:
			row.Tone = "bad"
		case p.Status == rx.Verified && p.Expired(now):
			row.Status, row.Tone = "Expired", "bad"
		case p.Status == rx.Verified:
			row.Tone, row.Refill = "good", p.Usable(now) && p.VariantID != ""
		}
		if !p.ExpiresAt.IsZero() {
			row.Expires = p.ExpiresAt.AddDate(0, 0, -1).Format("2 Jan 2006")
		}
		if due := p.RefillDue(); !due.IsZero() && row.Refill {
			row.Due = due.Format("2 Jan 2006")
		}
		if p.Status == rx.Verified && h.rights.amend != nil {
			row.Amend = true
			if row.History, err = h.history(r.Context(), t.ID, amend.Prescription, p.ID); err != nil {
				return err
			}
		}
		d.Rows = append(d.Rows, row)
	}
	return h.render(w, r, h.pages.prescriptions, status, "Your prescriptions", d)
}
