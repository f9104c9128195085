// Package apps is the web side of OAuth for the tenant's mobile app (issue
// 18 point 4): the consent page at /oauth/authorize, the token and
// revocation endpoints the app calls (/oauth/token, /oauth/revoke), the
// patient's connected apps at /account/apps, and the admin's registered
// apps at /admin/apps (registered, edited and disabled through the
// approvals path). The rules live in internal/oauth.
package apps

import (
	"net/http"
	"slices"

	"github.com/salvehealth/salve/internal/apitokens"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/oauth"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// Handlers serve the OAuth pages and endpoints.
type Handlers struct {
	site                        *web.Site
	oauth                       *oauth.Service
	changes                     *changes.Service
	consent, connected, clients *render.Page
}

// New returns the handlers; a missing template fails here.
func New(site *web.Site, svc *oauth.Service, ch *changes.Service) (*Handlers, error) {
	h := &Handlers{site: site, oauth: svc, changes: ch}
	if err := site.Pages(map[string]**render.Page{"oauth_consent": &h.consent, "apps": &h.connected, "admin/apps": &h.clients}); err != nil {
		return nil, err
	}
	return h, nil
}

// Paths of the pages and endpoints.
const (
	AuthorizePath = "/oauth/authorize"
	TokenPath     = "/oauth/token" //nolint:gosec // a path, not a credential
	RevokePath    = "/oauth/revoke"
	ConnectedPath = "/account/apps"
	ClientsPath   = "/admin/apps"
)

// scopeBox is a scope's checkbox or line.
type scopeBox struct {
	Value, Label string
	Checked      bool
}

func scopeBoxes(checked []string) []scopeBox {
	var out []scopeBox
	for _, s := range apitokens.Scopes {
		out = append(out, scopeBox{Value: string(s), Label: s.Label(), Checked: slices.Contains(checked, string(s))})
	}
	return out
}

// connectedData is the patient's connected apps page.
type connectedData struct {
	Grants []oauth.Grant
	Form   *web.Form
}

// showConnected renders the patient's connected apps with a form state.
func (h *Handlers) showConnected(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	grants, err := h.oauth.Grants(r.Context(), tenant.FromContext(r.Context()).ID, sess.UserID)
	if err != nil {
		return err
	}
	return h.site.Render(w, r, h.connected, status, "Connected apps", connectedData{Grants: grants, Form: f})
}
