// Package tokens is the pages where API tokens are made, listed and
// revoked (issue 18 point 4): a patient's personal access tokens at
// /account/tokens and the tenant's service tokens for staff integrations at
// /admin/tokens. A token is shown once, on the page that answers its
// creation (never in a URL, never again); the list shows each token's
// scopes, expiry and last use.
package tokens

import (
	"net/http"
	"slices"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apitokens"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// Handlers serve both token pages.
type Handlers struct {
	site   *web.Site
	tokens *apitokens.Service
	page   *render.Page
}

// New returns the token pages; a missing template fails here.
func New(site *web.Site, svc *apitokens.Service) (*Handlers, error) {
	h := &Handlers{site: site, tokens: svc}
	if err := site.Pages(map[string]**render.Page{"tokens": &h.page}); err != nil {
		return nil, err
	}
	return h, nil
}

// Paths of the two pages.
const (
	PersonalPath = "/account/tokens"
	ServicePath  = "/admin/tokens"
)

// pageData is a token page.
type pageData struct {
	Title, Lead, Path string
	Tokens            []row
	Scopes            []scopeBox
	// Roles are the roles a service token may have; empty on the patient's page.
	Roles   []access.Role
	Form    *web.Form
	Created *apitokens.Created
}

// row is a token in the list.
type row struct {
	apitokens.Record
	Status string
}

// scopeBox is a scope's checkbox.
type scopeBox struct {
	Value, Label string
	Checked      bool
}

// kind is which page a request is on, and whose tokens it shows: a
// patient's own (owner is the patient), or every service token of the
// tenant (owner "": any admin manages them).
func kind(r *http.Request) (apitokens.Kind, string, error) {
	sess, err := web.Session(r)
	if err != nil {
		return "", "", err
	}
	if sess.Role == access.RolePatient {
		return apitokens.KindPersonal, sess.UserID, nil
	}
	return apitokens.KindService, sess.UserID, nil
}

// serviceRoles are the roles a service token may act with: staff roles but
// admin (see apitokens.Service.Create).
func serviceRoles() []access.Role {
	var out []access.Role
	for _, r := range access.Roles {
		if r.Staff() && r != access.RoleAdmin {
			out = append(out, r)
		}
	}
	return out
}

// show renders the page of the request's kind with a form state and a token
// just made.
func (h *Handlers) show(w http.ResponseWriter, r *http.Request, status int, f *web.Form, created *apitokens.Created) error {
	k, owner, err := kind(r)
	if err != nil {
		return err
	}
	listOwner := owner
	d := pageData{Title: "API tokens", Path: PersonalPath, Form: f, Created: created,
		Lead: "An API token lets an app you choose read your orders, shopping lists or lab results through the Salve API, and nothing else. Give it only what the app needs; revoke it when you stop using the app."}
	if k == apitokens.KindService {
		// Why every admin sees every service token: they belong to the
		// tenant, and a departed admin's integration must stay revocable.
		listOwner = ""
		d.Title, d.Path, d.Roles = "Service tokens", ServicePath, serviceRoles()
		d.Lead = "A service token lets a staff integration use the Salve API with one staff role and the scopes you choose. Every read it makes is audited under the token."
	}
	recs, err := h.tokens.List(r.Context(), tenant.FromContext(r.Context()).ID, k, listOwner)
	if err != nil {
		return err
	}
	now := h.tokens.Now()
	for _, rec := range recs {
		d.Tokens = append(d.Tokens, row{Record: rec, Status: rec.Status(now)})
	}
	checked := f.Values["scopes"]
	for _, s := range apitokens.Scopes {
		d.Scopes = append(d.Scopes, scopeBox{Value: string(s), Label: s.Label(), Checked: slices.Contains(checked, string(s))})
	}
	// Why no-store: the page may hold a token shown this once.
	w.Header().Set("Cache-Control", "no-store")
	return h.site.Render(w, r, h.page, status, d.Title, d)
}
