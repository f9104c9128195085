package login

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// showForgot renders the "forgot password" form.
func (h *Handlers) showForgot(w http.ResponseWriter, r *http.Request) error {
	return h.site.Render(w, r, h.pages.forgot, http.StatusOK, "Reset your password", formData{Form: &web.Form{}})
}

// submitForgot sends a reset link if the address has an account; the answer
// is the same either way.
func (h *Handlers) submitForgot(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	if err := h.signin.Forgot(r.Context(), t, web.BaseURL(r, t), f.Value("email")); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.site.Render(w, r, h.pages.forgot, status, "Reset your password", formData{Form: f})
	}
	return h.site.Render(w, r, h.pages.sent, http.StatusOK, "Check your email", sentData{Heading: "Check your email",
		Text: "If that address has an account, we have sent it a link to choose a new password. The link works once, for 30 minutes."})
}

// showReset renders the new-password form of a reset link.
func (h *Handlers) showReset(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	token := r.URL.Query().Get("token")
	f := &web.Form{}
	status := http.StatusOK
	if !h.signin.ResetLinkValid(r.Context(), t.ID, token) {
		f.Message, status, token = "This link is not valid any more. Links work once and expire; ask for a new one.", http.StatusGone, ""
	}
	return h.site.Render(w, r, h.pages.reset, status, "Choose a new password", formData{Form: f, Token: token})
}

// submitReset sets the new password. It signs nobody in.
func (h *Handlers) submitReset(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	if err := h.signin.Reset(r.Context(), t.ID, f.Value("token"), f.Value("password")); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.site.Render(w, r, h.pages.reset, status, "Choose a new password", formData{Form: f, Token: f.Value("token")})
	}
	http.Redirect(w, r, "/login?reset=1", http.StatusSeeOther)
	return nil
}

// showInvite renders the form that accepts a staff invitation.
func (h *Handlers) showInvite(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	token := r.URL.Query().Get("token")
	f := &web.Form{}
	status := http.StatusOK
	if !h.accounts.InviteValid(r.Context(), t.ID, token) {
		f.Message, status, token = "This invitation is not valid any more. Ask your administrator for a new one.", http.StatusGone, ""
	}
	return h.site.Render(w, r, h.pages.invite, status, "Set up your account", formData{Form: f, Token: token})
}

// submitInvite activates the invited account.
func (h *Handlers) submitInvite(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	if err := h.accounts.AcceptInvite(r.Context(), t.ID, f.Value("token"), f.Value("name"), f.Value("password")); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.site.Render(w, r, h.pages.invite, status, "Set up your account", formData{Form: f, Token: f.Value("token")})
	}
	http.Redirect(w, r, "/login?invited=1", http.StatusSeeOther)
	return nil
}
