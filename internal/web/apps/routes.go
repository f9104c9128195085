package apps

import (
	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/httpx"
)

// Routes registers the OAuth pages and endpoints.
//
// Why the consent page is for patients only: an app's token acts as the
// patient who approved it (a personal scope), so only a patient approves
// one for themselves; a signed-out visitor is sent to sign in (with a
// second factor when the account has one) and comes back. Why the token and
// revocation endpoints are public: the app has no session; what it presents
// (a code with its PKCE verifier, a refresh token) is the credential, and a
// public client has no secret. They take no cookie, so the browser's CSRF
// rule does not stand in their way. Why /admin/apps is admin only: a client
// can ask every patient for their data, an integration (and the change
// itself still needs a second person's approval).
func (h *Handlers) Routes(rt *httpx.Router) {
	patients := httpx.Roles(access.RolePatient)
	rt.Handle(access.Customer, "GET "+AuthorizePath, h.showConsent, patients)
	rt.Handle(access.Customer, "POST "+AuthorizePath, h.decide, patients)
	rt.Handle(access.Public, "POST "+TokenPath, h.token, httpx.JSON(), httpx.MaxBody(8<<10))
	rt.Handle(access.Public, "POST "+RevokePath, h.revoke, httpx.JSON(), httpx.MaxBody(8<<10))
	rt.Handle(access.Customer, "GET "+ConnectedPath, h.showApps, patients)
	rt.Handle(access.Customer, "POST "+ConnectedPath+"/{id}/revoke", h.disconnect, patients)
	rt.Handle(access.Admin, "GET "+ClientsPath, h.showClients)
	rt.Handle(access.Admin, "POST "+ClientsPath, h.requestClient)
	rt.Handle(access.Admin, "POST "+ClientsPath+"/{id}/disable", h.requestDisable)
}
