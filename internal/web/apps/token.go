package apps

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/salvehealth/salve/internal/oauth"
	"github.com/salvehealth/salve/internal/tenant"
)

// token takes POST /oauth/token (RFC 6749 §4.1.3 and §6): an
// authorization_code grant with its code_verifier, or a refresh_token
// grant, which rotates the refresh token. Errors are RFC 6749 §5.2 JSON
// ({"error": ..., "error_description": ...}), what OAuth client libraries
// read.
func (h *Handlers) token(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return oauthJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "The form could not be read."})
	}
	req := oauth.TokenRequest{GrantType: f.Get("grant_type"), ClientID: clientID(r, f), Code: f.Get("code"), RedirectURI: f.Get("redirect_uri"),
		Verifier: f.Get("code_verifier"), RefreshToken: f.Get("refresh_token"), Scope: f.Get("scope")}
	issued, err := h.oauth.Token(r.Context(), tenant.FromContext(r.Context()).ID, req)
	if err != nil {
		return oauthError(w, err)
	}
	return oauthJSON(w, http.StatusOK, issued)
}

// form reads an x-www-form-urlencoded body (RFC 6749 §3.2: the endpoints
// take no query parameters for credentials).
func form(r *http.Request) (url.Values, error) {
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	return r.PostForm, nil
}

// clientID is the client_id in the body, or a public client's id sent as
// HTTP Basic with an empty password (what some libraries do).
func clientID(r *http.Request, f url.Values) string {
	if id := f.Get("client_id"); id != "" {
		return id
	}
	if u, _, ok := r.BasicAuth(); ok {
		if id, err := url.QueryUnescape(u); err == nil {
			return id
		}
	}
	return ""
}

// oauthError writes an *oauth.Error as RFC 6749 §5.2 JSON; other errors go
// to the router's error handling.
func oauthError(w http.ResponseWriter, err error) error {
	e, ok := oauth.AsError(err)
	if !ok {
		return err
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="oauth"`)
	}
	return oauthJSON(w, e.Status, map[string]string{"error": e.Code, "error_description": e.Description})
}

// oauthJSON writes a token endpoint answer; never cached (RFC 6749 §5.1).
func oauthJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}
