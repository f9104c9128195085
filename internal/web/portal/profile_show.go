package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	dash "github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/web"
)

// profileData is the profile page: the profile form and the state of the
// account's security.
type profileData struct {
	Form          *web.Form
	Email         string
	EmailVerified bool
	Role          access.Role
	TOTP          bool
	CodesLeft     int
	// ActingFor are the people who shared parts of their record with this
	// patient (proxy grants), so the grantee sees that they can help them.
	ActingFor []actingForRow
}

// actingForRow is one person the patient may act for: their address, opened
// for this page, and what they shared.
type actingForRow struct {
	Email  string
	Scopes []access.DataClass
}

// showProfile renders the signed-in person's profile: GET /account/profile.
// Their own PHI is opened for them (audited, purpose: their own request).
func (h *Handlers) showProfile(w http.ResponseWriter, r *http.Request) error {
	h.opened(r, dash.PageProfile)
	return h.profile(w, r, http.StatusOK, nil)
}

func (h *Handlers) profile(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	acct, err := h.accounts.Account(r.Context(), sess.TenantID, sess.UserID, access.PurposeSelf)
	if err != nil {
		return err
	}
	left, err := h.signin.RecoveryCodesLeft(r.Context(), sess)
	if err != nil {
		return err
	}
	list, err := h.grants.ActingFor(r.Context())
	if err != nil {
		return err
	}
	var actingFor []actingForRow
	for _, g := range list {
		actingFor = append(actingFor, actingForRow{Email: g.Email.Reveal(), Scopes: g.Scopes})
	}
	if f == nil {
		f = &web.Form{Values: map[string][]string{"name": {acct.Name.Reveal()}, "phone": {acct.Phone.Reveal()}, "dob": {acct.DOB.Reveal()}}}
	}
	return h.render(w, r, h.pages.profile, status, "Your profile", profileData{Form: f, Email: acct.Email.Reveal(),
		EmailVerified: acct.EmailVerified, Role: acct.Role, TOTP: acct.TOTP, CodesLeft: left, ActingFor: actingFor})
}

// submitProfile saves the name, phone number and date of birth.
func (h *Handlers) submitProfile(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	if err := h.accounts.UpdateProfile(r.Context(), accounts.Profile{Name: f.Value("name"), Phone: f.Value("phone"), DOB: f.Value("dob")}); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.profile(w, r, status, f)
	}
	f.Done = "Your profile was saved."
	return h.profile(w, r, http.StatusOK, f)
}
