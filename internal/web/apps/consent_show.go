package apps

import (
	"net/http"
	"net/url"

	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/oauth"
	"github.com/salvehealth/salve/internal/tenant"
)

// consentData is the consent page: the app, what it asks for, and the
// request's parameters carried to the decision as hidden fields (never the
// session's or anything secret).
type consentData struct {
	App    string
	Scopes []scopeBox
	Params url.Values
}

// request reads an authorization request from the query (GET) or the
// consent form (POST).
func request(v url.Values) oauth.AuthRequest {
	return oauth.AuthRequest{ResponseType: v.Get("response_type"), ClientID: v.Get("client_id"), RedirectURI: v.Get("redirect_uri"),
		Scope: v.Get("scope"), State: v.Get("state"), Challenge: v.Get("code_challenge"), Method: v.Get("code_challenge_method")}
}

// showConsent renders GET /oauth/authorize: the signed-in patient sees which
// app asks for what, and approves or denies. An unknown client or redirect
// URI is an error page that never redirects; another bad parameter is sent
// back to the app's registered redirect URI (RFC 6749 §4.1.2.1).
func (h *Handlers) showConsent(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p, err := h.oauth.Prepare(r.Context(), tenant.FromContext(r.Context()).ID, request(q))
	if err != nil {
		return h.authorizeError(w, r, err)
	}
	var boxes []scopeBox
	for _, s := range p.Scopes {
		boxes = append(boxes, scopeBox{Value: string(s), Label: s.Label()})
	}
	params := url.Values{}
	for _, k := range []string{"response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method"} {
		params.Set(k, q.Get(k))
	}
	// Why no-store and no framing of the decision: a cached or framed
	// consent page could be replayed or clickjacked (the layout's CSP
	// forbids framing already).
	w.Header().Set("Cache-Control", "no-store")
	httpx.AllowFormAction(w, p.RedirectURI)
	return h.site.Render(w, r, h.consent, http.StatusOK, "Allow "+p.Client.Name+"?", consentData{App: p.Client.Name, Scopes: boxes, Params: params})
}

// authorizeError answers a refused authorization request: back to the app
// when the error carries a registered redirect URI, else an error page.
func (h *Handlers) authorizeError(w http.ResponseWriter, r *http.Request, err error) error {
	e, ok := oauth.AsError(err)
	if !ok {
		return err
	}
	if e.RedirectURI == "" {
		w.Header().Set("Cache-Control", "no-store")
		return h.site.ErrorPage(w, r, http.StatusBadRequest, "This app cannot connect", e.Description+
			" Nothing was shared. Open the app again, or ask the shop about it if this keeps happening.", nil)
	}
	v := url.Values{"error": {e.Code}, "error_description": {e.Description}}
	if e.State != "" {
		v.Set("state", e.State)
	}
	back(w, r, e.RedirectURI, v)
	return nil
}

// back redirects to a registered redirect URI with query parameters added.
func back(w http.ResponseWriter, r *http.Request, redirectURI string, v url.Values) {
	u, _ := url.Parse(redirectURI) // registered, so it parses
	q := u.Query()
	for k, vs := range v {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusFound) //nolint:gosec // an exact-match registered redirect URI (oauth.Client.Allows)
}
