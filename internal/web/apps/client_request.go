package apps

import (
	"net/http"
	"strings"

	"github.com/salvehealth/salve/internal/oauth"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// requestClient takes POST /admin/apps (name, redirect_uris one a line,
// scopes, reason): a request to register the tenant's app, which takes
// effect when a second admin or the compliance officer approves it on the
// changes page. Bad input shows the form again with what was typed.
func (h *Handlers) requestClient(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	after := map[string]string{"enabled": "yes", "name": strings.TrimSpace(f.Value("name")),
		"redirect_uris": strings.Join(strings.Fields(f.Value("redirect_uris")), " "), "scopes": strings.Join(f.Values["scopes"], " ")}
	if _, err := h.changes.Request(r.Context(), tenant.FromContext(r.Context()).ID, oauth.ChangeKind, oauth.NewClientID(), after, f.Value("reason")); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.clientsPage(w, r, status, f)
	}
	return h.clientsPage(w, r, http.StatusOK, &web.Form{Done: "Your request is recorded; the app is registered when another admin or the compliance officer approves it under Compliance, Changes."})
}
