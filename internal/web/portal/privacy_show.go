package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/marketing"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// privacyData is the patient's marketing authorizations page.
type privacyData struct {
	Entries []marketing.Entry
	Form    *web.Form
	Today   string
	Done    string
}

// privacyDone are the confirmations chosen by ?done= (fixed texts).
var privacyDone = map[string]string{
	"granted": "Signed. Offers chosen from your health data can now appear on your dashboard. You can revoke this here at any time.",
	"revoked": "Revoked. From now on no offer is chosen from your health data.",
}

// showPrivacy renders GET /account/privacy: each purpose with its text, the
// current signed authorization (with Revoke) or the form to sign one, and
// the past ones. The patient's own only (a proxy does not sign for them).
func (h *Handlers) showPrivacy(w http.ResponseWriter, r *http.Request) error {
	return h.privacyPage(w, r, http.StatusOK, &web.Form{})
}

func (h *Handlers) privacyPage(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	entries, err := h.rights.marketing.Page(r.Context(), tenant.FromContext(r.Context()).ID, sess.UserID)
	if err != nil {
		return err
	}
	return h.render(w, r, h.rights.pages.privacy, status, "Privacy and marketing", privacyData{Entries: entries, Form: f,
		Today: h.rights.marketing.Now().UTC().Format("2006-01-02"), Done: privacyDone[r.URL.Query().Get("done")]})
}
