package portal

import (
	"net/http"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/web"
)

// sessionRow is one line of the sessions table.
type sessionRow struct {
	Ref      string
	Device   string
	Started  time.Time
	LastSeen time.Time
	Current  bool
}

// securityData is the security page.
type securityData struct {
	Form      *web.Form
	Sessions  []sessionRow
	TOTP      bool
	CodesLeft int
	Staff     bool
	Passkeys  []signin.Passkey
}

// codesData is the page that shows recovery codes, once.
type codesData struct {
	Codes    []string
	Enrolled bool
}

// showSecurity renders sessions, second factors, recovery codes and the
// password form.
func (h *Handlers) showSecurity(w http.ResponseWriter, r *http.Request) error {
	return h.security(w, r, http.StatusOK, &web.Form{})
}

func (h *Handlers) security(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	list, err := h.signin.Sessions(r.Context(), sess)
	if err != nil {
		return err
	}
	rows := make([]sessionRow, 0, len(list))
	for _, s := range list {
		rows = append(rows, sessionRow{Ref: signin.SessionRef(s.ID), Device: s.Device, Started: s.CreatedAt, LastSeen: s.LastSeenAt,
			Current: s.ID == sess.ID})
	}
	hasTOTP, _, err := h.signin.Factors(r.Context(), sess)
	if err != nil {
		return err
	}
	left, err := h.signin.RecoveryCodesLeft(r.Context(), sess)
	if err != nil {
		return err
	}
	keys, err := h.signin.Passkeys(r.Context(), sess)
	if err != nil {
		return err
	}
	return h.render(w, r, h.pages.security, status, "Security", securityData{Form: f, Sessions: rows, TOTP: hasTOTP, CodesLeft: left,
		Staff: sess.Role.Staff(), Passkeys: keys})
}

// securityFailed answers a failed change made on the security page: a
// sign-in that is not fresh enough goes to re-authentication and back; input
// the person can fix shows the page again with the message; anything else is
// returned for the error page.
func (h *Handlers) securityFailed(w http.ResponseWriter, r *http.Request, f *web.Form, err error) error {
	if apperr.Is(err, apperr.Unauthenticated) {
		http.Redirect(w, r, "/account/reauth?next=/account/security", http.StatusSeeOther)
		return nil
	}
	status, err := f.Fail(err)
	if err != nil {
		return err
	}
	return h.security(w, r, status, f)
}

// revokeSession signs one of the person's sessions out.
func (h *Handlers) revokeSession(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	if err := h.signin.RevokeSession(r.Context(), sess, f.Value("session")); err != nil {
		return err
	}
	if signin.SessionRef(sess.ID) == f.Value("session") {
		h.sessions.Cookies.Clear(w)
		http.Redirect(w, r, "/login?signed_out=1", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/account/security", http.StatusSeeOther)
	return nil
}

// newCodes replaces the recovery codes (fresh sign-in needed) and shows them.
func (h *Handlers) newCodes(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	codes, err := h.signin.RegenerateRecoveryCodes(r.Context(), sess)
	if err != nil {
		return h.securityFailed(w, r, &web.Form{}, err)
	}
	return h.render(w, r, h.pages.codes, http.StatusOK, "Your recovery codes", codesData{Codes: codes})
}

// changePassword sets a new password (fresh sign-in needed); every other
// session ends.
func (h *Handlers) changePassword(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	if err := h.signin.ChangePassword(r.Context(), sess, f.Value("password")); err != nil {
		return h.securityFailed(w, r, f, err)
	}
	f = &web.Form{Done: "Your password was changed. Every other session was signed out."}
	return h.security(w, r, http.StatusOK, f)
}

// reauthData is the page that asks for the password again.
type reauthData struct {
	Form *web.Form
	Next string // where to go back to
}

// showReauth asks for the password (and code) again before a sensitive change.
func (h *Handlers) showReauth(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, h.pages.reauth, http.StatusOK, "Confirm it is you", reauthData{Form: &web.Form{},
		Next: web.SafeNext(r.URL.Query().Get("next"))})
}

// submitReauth confirms the password and goes back.
func (h *Handlers) submitReauth(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	next := web.SafeNext(f.Value("next"))
	if err := h.signin.Reauthenticate(r.Context(), sess, f.Value("password"), f.Value("code")); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.render(w, r, h.pages.reauth, status, "Confirm it is you", reauthData{Form: f, Next: next})
	}
	http.Redirect(w, r, next, http.StatusSeeOther) //nolint:gosec // next went through web.SafeNext: a local path only
	return nil
}
