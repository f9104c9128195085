package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/amend"
	"github.com/salvehealth/salve/internal/appointments"
	"github.com/salvehealth/salve/internal/grants"
	dash "github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/tenant"
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
	// Locations are the tenant's pharmacies and clinics to choose the
	// preferred one from; without any, it is typed in (issue 16).
	Locations []appointments.Location
	// ID is the person's id: the record id of a request to amend their
	// profile (amend.Profile).
	ID string
	// History is what travels with the profile (164.526): its accepted
	// corrections and statements of disagreement; Amend is set when
	// corrections can be asked for.
	History []*amend.Amendment
	Amend   bool
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
	// None to list when the session's lookup counted no grant naming them
	// (signin.Extras): a statement fewer.
	var list []grants.ActingFor
	if !sess.Extras.Read || sess.Extras.ProxyGrants > 0 {
		if list, err = h.grants.ActingFor(r.Context()); err != nil {
			return err
		}
	}
	var actingFor []actingForRow
	for _, g := range list {
		actingFor = append(actingFor, actingForRow{Email: g.Email.Reveal(), Scopes: g.Scopes})
	}
	locs, err := h.locations(r)
	if err != nil {
		return err
	}
	if f == nil {
		d := acct.Details
		f = &web.Form{Values: map[string][]string{"name": {acct.Name.Reveal()}, "phone": {acct.Phone.Reveal()}, "dob": {acct.DOB.Reveal()},
			"preferred": {d.Preferred}, "insurance_payer": {d.InsurancePayer}, "insurance_member_id": {d.InsuranceMemberID},
			"emergency_name": {d.EmergencyName}, "emergency_phone": {d.EmergencyPhone}, "emergency_relation": {d.EmergencyRelation},
			"allergies": {d.Allergies}}}
		if d.EmailReminders() {
			f.Values["reminders"] = []string{"on"}
		}
	}
	d := profileData{Form: f, Email: acct.Email.Reveal(), EmailVerified: acct.EmailVerified, Role: acct.Role, TOTP: acct.TOTP,
		CodesLeft: left, ActingFor: actingFor, Locations: locs, ID: sess.UserID}
	if acct.Role == access.RolePatient {
		if d.History, err = h.history(r.Context(), sess.TenantID, amend.Profile, sess.UserID); err != nil {
			return err
		}
		d.Amend = h.rights.amend != nil
	}
	return h.render(w, r, h.pages.profile, status, "Your profile", d)
}

// locations are the tenant's locations a patient may prefer; staff, whose
// profile has no such field, get none.
func (h *Handlers) locations(r *http.Request) ([]appointments.Location, error) {
	sess, err := web.Session(r)
	if err != nil || sess.Role != access.RolePatient || h.appointments == nil {
		return nil, err
	}
	return h.appointments.Locations(r.Context(), tenant.FromContext(r.Context()).ID)
}

// submitProfile saves the name, phone number and date of birth and, for a
// patient, the rest of the profile (issue 16). A wrong field is named on the
// form, which keeps everything typed; nothing is saved until all are right.
func (h *Handlers) submitProfile(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	p := accounts.Profile{Name: f.Value("name"), Phone: f.Value("phone"), DOB: f.Value("dob")}
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	if sess.Role == access.RolePatient {
		locs, err := h.locations(r)
		if err != nil {
			return err
		}
		for _, l := range locs {
			p.Choices = append(p.Choices, l.ID)
		}
		p.Details = &accounts.Details{Preferred: f.Value("preferred"), InsurancePayer: f.Value("insurance_payer"),
			InsuranceMemberID: f.Value("insurance_member_id"), EmergencyName: f.Value("emergency_name"),
			EmergencyPhone: f.Value("emergency_phone"), EmergencyRelation: f.Value("emergency_relation"),
			Allergies: f.Value("allergies"), RemindersOff: f.Value("reminders") != "on"}
	}
	if err := h.accounts.UpdateProfile(r.Context(), p); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.profile(w, r, status, f)
	}
	f.Done = "Your profile was saved."
	return h.profile(w, r, http.StatusOK, f)
}
