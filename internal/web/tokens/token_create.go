package tokens

import (
	"net/http"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apitokens"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// createToken takes POST /account/tokens or /admin/tokens (name, scopes,
// days, and a role for a service token): the page answers with the token,
// shown this once. Why rendered and not redirected to: the token must not
// travel in a URL. Bad input shows the form again with what was typed.
func (h *Handlers) createToken(w http.ResponseWriter, r *http.Request) error {
	k, owner, err := kind(r)
	if err != nil {
		return err
	}
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	c, err := h.tokens.Create(r.Context(), tenant.FromContext(r.Context()).ID, k, owner, apitokens.Request{
		Name: f.Value("name"), Scopes: f.Values["scopes"], Days: f.Value("days"), Role: access.Role(f.Value("role"))})
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.show(w, r, status, f, nil)
	}
	return h.show(w, r, http.StatusOK, &web.Form{Done: "The token is made. Copy it now: it is shown only this once."}, c)
}
