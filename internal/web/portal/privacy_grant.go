package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/marketing"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// grantPrivacy signs an authorization: POST /account/privacy (purpose,
// typed name, today's date, assent, optional end date). Bad input shows the
// page again with each field's error and signs nothing.
func (h *Handlers) grantPrivacy(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	err = h.rights.marketing.Grant(r.Context(), tenant.FromContext(r.Context()).ID, sess.UserID, marketing.Grant{Purpose: f.Value("purpose"),
		Name: f.Value("name"), SignedOn: f.Value("signed_on"), ExpiresOn: f.Value("expires_on"), Assent: f.Value("assent") == "yes"})
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.privacyPage(w, r, status, f)
	}
	http.Redirect(w, r, "/account/privacy?done=granted", http.StatusSeeOther)
	return nil
}
