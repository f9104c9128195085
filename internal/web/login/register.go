package login

import (
	"net/http"

	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// formData is a page with one form.
type formData struct {
	Form  *web.Form
	Token string // a one-time link's token, carried in the form, never in a log
}

// sentData is the "check your email" page.
type sentData struct {
	Heading, Text string
}

// showRegister renders the registration form.
func (h *Handlers) showRegister(w http.ResponseWriter, r *http.Request) error {
	return h.site.Render(w, r, h.pages.register, http.StatusOK, "Create an account", formData{Form: &web.Form{}})
}

// submitRegister creates a patient account and sends the verification email.
// The answer does not say whether the address had an account already.
func (h *Handlers) submitRegister(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	err = h.accounts.Register(r.Context(), t, web.BaseURL(r, t), accounts.Registration{Email: f.Value("email"), Name: f.Value("name"),
		Password: f.Value("password")})
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.site.Render(w, r, h.pages.register, status, "Create an account", formData{Form: f})
	}
	return h.site.Render(w, r, h.pages.sent, http.StatusOK, "Check your email", sentData{Heading: "Check your email",
		Text: "We have sent a link to confirm your address. Open it within 24 hours, then sign in. If you already have an account, sign in or reset your password instead."})
}
