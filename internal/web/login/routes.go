package login

import (
	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/httpx"
)

// Routes registers every way in. The ways in are public; the pages that
// finish signing in (the second factor, with a code or a passkey) and
// sign-out take a half-signed-in session (Partial).
func (h *Handlers) Routes(rt *httpx.Router) {
	rt.Handle(access.Public, "GET /login", h.showLogin)
	rt.Handle(access.Public, "POST /login", h.submitLogin)
	rt.Handle(access.Public, "POST /login/passkey/begin", h.beginPasskeyLogin)
	rt.Handle(access.Public, "POST /login/passkey/finish", h.finishPasskeyLogin)
	rt.Handle(access.Public, "GET /login/sso", h.startSSO)
	rt.Handle(access.Public, "GET /login/sso/callback", h.finishSSO)
	rt.Handle(access.Public, "GET /register", h.showRegister)
	rt.Handle(access.Public, "POST /register", h.submitRegister)
	rt.Handle(access.Public, "GET /verify", h.showVerify)
	rt.Handle(access.Public, "POST /verify", h.submitVerify)
	rt.Handle(access.Public, "GET /forgot", h.showForgot)
	rt.Handle(access.Public, "POST /forgot", h.submitForgot)
	rt.Handle(access.Public, "GET /reset", h.showReset)
	rt.Handle(access.Public, "POST /reset", h.submitReset)
	rt.Handle(access.Public, "GET /unlock", h.showUnlock)
	rt.Handle(access.Public, "POST /unlock", h.submitUnlock)
	rt.Handle(access.Public, "GET /invite", h.showInvite)
	rt.Handle(access.Public, "POST /invite", h.submitInvite)

	rt.Handle(access.Customer, "GET /login/mfa", h.showMFA, httpx.Partial())
	rt.Handle(access.Customer, "POST /login/mfa", h.submitMFA, httpx.Partial())
	rt.Handle(access.Customer, "POST /login/mfa/passkey/begin", h.beginPasskeyMFA, httpx.Partial())
	rt.Handle(access.Customer, "POST /login/mfa/passkey/finish", h.finishPasskeyMFA, httpx.Partial())
	rt.Handle(access.Customer, "POST /logout", h.logout, httpx.Partial())
}
