package login

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// startSSO sends a member of staff to the tenant's single sign-on provider.
func (h *Handlers) startSSO(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	u, err := h.signin.StartSSO(r.Context(), t, web.BaseURL(r, t), web.SafeNext(r.URL.Query().Get("next")))
	if err != nil {
		return err
	}
	// The provider's URL comes from the operator's configuration, never
	// from the request.
	http.Redirect(w, r, u, http.StatusSeeOther) //nolint:gosec // see above
	return nil
}

// finishSSO takes the provider's answer and signs the staff member in; the
// second factor follows.
func (h *Handlers) finishSSO(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	q := r.URL.Query()
	token, sess, next, err := h.signin.FinishSSO(r.Context(), t, web.BaseURL(r, t), q.Get("state"), q.Get("code"), device(r))
	if err != nil {
		f := &web.Form{}
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.site.Render(w, r, h.pages.login, status, "Sign in", loginData{Form: f, Next: "/", SSO: h.signin.HasSSO(r.Context(), t.ID)})
	}
	return h.signIn(w, r, token, sess, web.SafeNext(next))
}
