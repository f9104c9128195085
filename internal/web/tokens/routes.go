package tokens

import (
	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/httpx"
)

// Routes registers the token pages. Why patients only on /account/tokens: a
// personal token acts as its patient, so only a patient makes one for
// themselves (a proxy's or staff member's session cannot). Why admins only
// on /admin/tokens: a service token acts with a staff role for the whole
// tenant, which only an admin (with MFA) may hand out.
func (h *Handlers) Routes(rt *httpx.Router) {
	patients := httpx.Roles(access.RolePatient)
	rt.Handle(access.Customer, "GET "+PersonalPath, h.showTokens, patients)
	rt.Handle(access.Customer, "POST "+PersonalPath, h.createToken, patients)
	rt.Handle(access.Customer, "POST "+PersonalPath+"/{id}/revoke", h.revokeToken, patients)
	rt.Handle(access.Admin, "GET "+ServicePath, h.showTokens)
	rt.Handle(access.Admin, "POST "+ServicePath, h.createToken)
	rt.Handle(access.Admin, "POST "+ServicePath+"/{id}/revoke", h.revokeToken)
}
