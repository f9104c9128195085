package login

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// showVerify shows a button that confirms the address. Why not confirm on
// GET: mail scanners open links in emails, and a GET that changes something
// would be spent by them.
func (h *Handlers) showVerify(w http.ResponseWriter, r *http.Request) error {
	return h.site.Render(w, r, h.pages.verify, http.StatusOK, "Confirm your email address",
		formData{Form: &web.Form{}, Token: r.URL.Query().Get("token")})
}

// submitVerify spends the verification link.
func (h *Handlers) submitVerify(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	if err := h.accounts.Verify(r.Context(), t.ID, f.Value("token")); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.site.Render(w, r, h.pages.verify, status, "Confirm your email address", formData{Form: f})
	}
	http.Redirect(w, r, "/login?verified=1", http.StatusSeeOther)
	return nil
}

// showUnlock shows the button that unlocks an account (see showVerify for
// why a button).
func (h *Handlers) showUnlock(w http.ResponseWriter, r *http.Request) error {
	return h.site.Render(w, r, h.pages.unlock, http.StatusOK, "Unlock your account",
		formData{Form: &web.Form{}, Token: r.URL.Query().Get("token")})
}

// submitUnlock spends the unlock link.
func (h *Handlers) submitUnlock(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	if err := h.signin.Unlock(r.Context(), t.ID, f.Value("token")); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.site.Render(w, r, h.pages.unlock, status, "Unlock your account", formData{Form: f})
	}
	http.Redirect(w, r, "/login?unlocked=1", http.StatusSeeOther)
	return nil
}
