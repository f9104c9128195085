package login

import (
	"net/http"
	"strings"

	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// loginData is the sign-in page.
type loginData struct {
	Form   *web.Form
	Next   string
	Notice string
	SSO    bool // the tenant offers single sign-on for staff
}

// notices are the confirmations the sign-in page shows after a flow that
// ends there; only these fixed texts, never anything from the URL itself.
var notices = map[string]string{
	"verified":   "Your email address is confirmed. You can sign in now.",
	"reset":      "Your password was changed. Sign in with the new one.",
	"unlocked":   "Your account is unlocked. You can sign in now.",
	"invited":    "Your account is ready. Sign in, then set up your second factor.",
	"signed_out": "You have signed out.",
}

// checkoutNotice tells a visitor sent here from checkout why: there is no
// guest checkout (docs/orders.md says why).
const checkoutNotice = "Sign in or create an account to check out. An order says what you buy, and some items need a prescription: " +
	"that is health information, so we keep every order in an account only you can open."

// showLogin renders the sign-in form. A signed-in person goes straight on.
func (h *Handlers) showLogin(w http.ResponseWriter, r *http.Request) error {
	next := web.SafeNext(r.URL.Query().Get("next"))
	if s, ok := web.SessionFrom(r.Context()); ok && s.Complete() {
		http.Redirect(w, r, next, http.StatusSeeOther) //nolint:gosec // next went through web.SafeNext: a local path only
		return nil
	}
	d := loginData{Form: &web.Form{}, Next: next, SSO: h.signin.HasSSO(r.Context(), tenant.FromContext(r.Context()).ID)}
	for k, text := range notices {
		if r.URL.Query().Has(k) {
			d.Notice = text
		}
	}
	if next == "/checkout" || strings.HasPrefix(next, "/checkout/") {
		d.Notice = checkoutNotice
	}
	return h.site.Render(w, r, h.pages.login, http.StatusOK, "Sign in", d)
}

// submitLogin checks the email address and password.
func (h *Handlers) submitLogin(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	next := web.SafeNext(f.Value("next"))
	token, sess, err := h.signin.Login(r.Context(), t, signin.Attempt{Email: f.Value("email"), Password: f.Value("password"),
		ClientIP: httpx.InfoFrom(r.Context()).ClientIP.String(), Device: device(r), BaseURL: web.BaseURL(r, t)})
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.site.Render(w, r, h.pages.login, status, "Sign in", loginData{Form: f, Next: next, SSO: h.signin.HasSSO(r.Context(), t.ID)})
	}
	return h.signIn(w, r, token, sess, next)
}
