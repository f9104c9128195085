package login

import (
	"net/http"

	"github.com/salvehealth/salve/internal/web"
)

// mfaData is the second-factor page.
type mfaData struct {
	Form     *web.Form
	Next     string
	Passkeys bool // the account has a passkey to offer
}

// showMFA asks for the second factor of a session that passed its password.
func (h *Handlers) showMFA(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	next := web.SafeNext(r.URL.Query().Get("next"))
	if sess.Complete() {
		http.Redirect(w, r, next, http.StatusSeeOther) //nolint:gosec // next went through web.SafeNext: a local path only
		return nil
	}
	keys, err := h.signin.Passkeys(r.Context(), sess)
	if err != nil {
		return err
	}
	return h.site.Render(w, r, h.pages.mfa, http.StatusOK, "Confirm it is you", mfaData{Form: &web.Form{}, Next: next, Passkeys: len(keys) > 0})
}

// submitMFA checks a TOTP or recovery code.
func (h *Handlers) submitMFA(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	next := web.SafeNext(f.Value("next"))
	token, elevated, err := h.signin.VerifySecondFactor(r.Context(), sess, f.Value("code"))
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.site.Render(w, r, h.pages.mfa, status, "Confirm it is you", mfaData{Form: f, Next: next})
	}
	return h.signIn(w, r, token, elevated, next)
}

// logout ends the session on the server and clears the cookie.
func (h *Handlers) logout(w http.ResponseWriter, r *http.Request) error {
	if sess, ok := web.SessionFrom(r.Context()); ok {
		if err := h.signin.Logout(r.Context(), sess); err != nil {
			return err
		}
		h.sessions.Carts.SignedOut(w, r, sess)
	}
	h.sessions.Cookies.Clear(w)
	// Clear-Site-Data drops anything the browser kept of the session's pages.
	w.Header().Set("Clear-Site-Data", `"cache", "storage"`)
	http.Redirect(w, r, "/login?signed_out=1", http.StatusSeeOther)
	return nil
}
