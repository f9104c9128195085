package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apitokens"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/oauth"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// appRedirect is the mobile app's registered redirect URI in these tests.
const appRedirect = "com.example.salveapp:/oauth/callback"

// registerApp registers an app with scopes through the approvals path, as
// two admins do on the pages: one asks on /admin/apps, the other approves
// on the changes page. It returns the client id.
func registerApp(t *testing.T, s *testkit.Server, scopes ...string) string {
	t.Helper()
	a1, a2 := s.ClientAs(t, s.NewPerson(t, access.RoleAdmin)), s.ClientAs(t, s.NewPerson(t, access.RoleAdmin))
	resp, body := testkit.Do(t, a1, s.NewRequest(t, "POST", "/admin/apps", url.Values{"name": {"Salve Mobile"},
		"redirect_uris": {appRedirect + "\nhttp://127.0.0.1:19601/callback"}, "scopes": scopes, "reason": {"our app ships"}}))
	if resp.StatusCode != 200 || !strings.Contains(body, "another admin or the compliance officer approves") {
		t.Fatalf("register request: %d", resp.StatusCode)
	}
	list, err := s.Services().Changes.List(context.Background(), s.Tenant.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	var ch changes.Change
	for _, c := range list {
		if c.Kind == oauth.ChangeKind && c.Status == changes.Pending {
			ch = c
			break
		}
	}
	if ch.ID == "" {
		t.Fatal("no pending change for the app")
	}
	// Not usable before approval.
	if _, err := s.Services().OAuth.Client(context.Background(), s.Tenant.ID, ch.Target); err == nil {
		t.Fatal("the app works before its approval")
	}
	if resp, _ := testkit.Do(t, a1, s.NewRequest(t, "POST", "/admin/compliance/changes/"+ch.ID+"/approve", url.Values{})); resp.StatusCode == 200 {
		t.Fatal("the requester approved their own app")
	}
	if resp, body := testkit.Do(t, a2, s.NewRequest(t, "POST", "/admin/compliance/changes/"+ch.ID+"/approve", url.Values{})); resp.StatusCode != 200 {
		t.Fatalf("approve: %d %s", resp.StatusCode, body)
	}
	return ch.Target
}

// appConfig is the mobile app's OAuth client configuration.
func appConfig(s *testkit.Server, clientID, redirect string, scopes ...string) *oauth2.Config {
	return &oauth2.Config{ClientID: clientID, RedirectURL: redirect, Scopes: scopes,
		Endpoint: oauth2.Endpoint{AuthURL: s.URL + "/oauth/authorize", TokenURL: s.URL + "/oauth/token", AuthStyle: oauth2.AuthStyleInParams}}
}

// consent opens an authorization URL as the patient's browser would and
// answers the consent page with decision; it returns the redirect's URL.
func consent(t *testing.T, s *testkit.Server, pc *http.Client, authURL, decision string) *url.URL {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := testkit.Do(t, pc, s.NewRequest(t, "GET", "/oauth/authorize?"+u.RawQuery, nil))
	if resp.StatusCode != 200 || !strings.Contains(body, "Allow Salve Mobile") {
		t.Fatalf("consent page: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' ") {
		t.Errorf("consent page CSP does not let the answer reach the app: %s", csp)
	}
	form := u.Query()
	form.Set("decision", decision)
	resp, _ = testkit.Do(t, pc, s.NewRequest(t, "POST", "/oauth/authorize", form))
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("decision: %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// authorize runs the consent for a new verifier and returns the code and verifier.
func authorize(t *testing.T, s *testkit.Server, pc *http.Client, conf *oauth2.Config) (string, string) {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	loc := consent(t, s, pc, conf.AuthCodeURL("st-123", oauth2.S256ChallengeOption(verifier)), "approve")
	if got := loc.Scheme + ":" + loc.Path; loc.Host == "" && got != conf.RedirectURL {
		t.Fatalf("redirected to %s", loc)
	}
	if loc.Query().Get("state") != "st-123" || loc.Query().Get("code") == "" {
		t.Fatalf("redirect %s: no code or state", loc)
	}
	return loc.Query().Get("code"), verifier
}

// oauthErrorOf returns the OAuth error code of a failed exchange or refresh.
func oauthErrorOf(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	return ""
}

// apiCall calls the API with an access token and returns the status and body.
func apiCall(t *testing.T, s *testkit.Server, token, path string) (int, string) {
	t.Helper()
	return bearer(t, s, token, path)
}

// postToken posts a form to the token or revocation endpoint without any
// cookie, as the app does, and returns the status and the JSON answer.
func postToken(t *testing.T, s *testkit.Server, path string, form url.Values) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("POST", s.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, body := testkit.Do(t, http.DefaultClient, req)
	out := map[string]any{}
	if body != "" {
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatalf("%s answered %d, not JSON: %s", path, resp.StatusCode, body)
		}
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("%s: Cache-Control %q", path, cc)
	}
	return resp.StatusCode, out
}

// TestOAuthMobileApp: the tenant's app is registered through the approvals
// path; a patient approves it on the consent page; the app (the
// golang.org/x/oauth2 client with PKCE S256) trades the code for tokens and
// reads the API in its scopes. A wrong verifier, a reused, expired or
// another app's code, a redirect URI that differs, plain PKCE, an unknown
// or another tenant's client are all refused as RFC 6749 and RFC 7636 say.
// Both engines.
func TestOAuthMobileApp(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		prod := &catalog.Product{Name: "Test Strips", Variants: []catalog.Variant{{SKU: "TS-50", Name: "50 strips", Price: 2499, Stock: 10}}}
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, prod); err != nil {
			t.Fatal(err)
		}
		doc := s.NewPerson(t, access.RoleClinician)
		manager := s.NewPerson(t, access.RoleStoreManager).ID
		mine := seedTokenData(t, s, prod.Variants[0].ID, doc, manager)
		pc := s.ClientAs(t, mine.patient)

		// Registration: bad input named per field, nothing requested.
		admin := s.ClientAs(t, s.NewPerson(t, access.RoleAdmin))
		resp, body := testkit.Do(t, admin, s.NewRequest(t, "POST", "/admin/apps", url.Values{"name": {"Bad"},
			"redirect_uris": {"http://evil.example/cb"}, "reason": {"x"}}))
		if resp.StatusCode != 422 || !strings.Contains(body, "loopback") || !strings.Contains(body, "Choose at least one") {
			t.Errorf("bad registration: %d", resp.StatusCode)
		}
		clientID := registerApp(t, s, "orders:read", "lists:read", "results:read")
		_, body = testkit.Do(t, admin, s.NewRequest(t, "GET", "/admin/apps", nil))
		if !strings.Contains(body, clientID) || !strings.Contains(body, appRedirect) {
			t.Error("/admin/apps does not list the app")
		}

		// The full flow with the app's OAuth library.
		conf := appConfig(s, clientID, appRedirect, "orders:read", "lists:read", "results:read")
		code, verifier := authorize(t, s, pc, conf)
		tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		if !strings.HasPrefix(tok.AccessToken, oauth.AccessPrefix) || tok.RefreshToken == "" || tok.Expiry.IsZero() {
			t.Fatalf("token: %+v", tok)
		}
		hc := conf.Client(ctx, tok)
		r, err := hc.Get(s.URL + "/api/v1/orders")
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != 200 {
			t.Fatalf("orders with the app's token: %d", r.StatusCode)
		}
		if code, body := apiCall(t, s, tok.AccessToken, "/api/v1/orders"); code != 200 || !strings.Contains(body, mine.order) {
			t.Errorf("orders: %d", code)
		}
		approvals := 0
		for _, r := range auditOf(t, s, mine.patient.ID) {
			if r.Action == "oauth.approve" && r.ActorID == mine.patient.ID && strings.Contains(r.Detail, clientID) {
				approvals++
			}
		}
		if approvals != 1 {
			t.Errorf("approval recorded %d times", approvals)
		}
		// The patient sees the app under connected apps.
		_, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/apps", nil))
		if !strings.Contains(body, "Salve Mobile") || !strings.Contains(body, "Disconnect") {
			t.Error("/account/apps does not list the app")
		}

		// A wrong verifier: refused, and the code is spent.
		code, _ = authorize(t, s, pc, conf)
		if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier())); oauthErrorOf(err) != "invalid_grant" {
			t.Errorf("wrong verifier: %v", err)
		}
		if _, err := conf.Exchange(ctx, code); oauthErrorOf(err) != "invalid_request" {
			t.Errorf("no verifier: %v", err)
		}
		// A reused code: refused, and the tokens of its first use revoked.
		code, verifier = authorize(t, s, pc, conf)
		first, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier)); oauthErrorOf(err) != "invalid_grant" {
			t.Errorf("reused code: %v", err)
		}
		if code, _ := apiCall(t, s, first.AccessToken, "/api/v1/orders"); code != 401 {
			t.Errorf("token of a reused code: %d, want 401", code)
		}
		// An expired code (over a minute old).
		code, verifier = authorize(t, s, pc, conf)
		s.Clock.Advance(oauth.CodeTTL + time.Second)
		if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier)); oauthErrorOf(err) != "invalid_grant" {
			t.Errorf("expired code: %v", err)
		}
		// The token request's redirect URI must be the authorization's.
		code, verifier = authorize(t, s, pc, conf)
		other := appConfig(s, clientID, "http://127.0.0.1:19601/callback")
		if _, err := other.Exchange(ctx, code, oauth2.VerifierOption(verifier)); oauthErrorOf(err) != "invalid_grant" {
			t.Errorf("redirect_uri mismatch: %v", err)
		}

		// Refused before any redirect: an unknown client, a redirect URI not
		// registered, another tenant's client. An error page, no Location.
		otherTenant := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Pharmacy", Hostnames: []string{"other.test"},
			Theme: tenant.DefaultTheme, CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
		if err := store.NewTenants(s.Stores.Catalog).Create(ctx, otherTenant); err != nil {
			t.Fatal(err)
		}
		foreignID := oauth.NewClientID()
		if err := s.Services().OAuth.RegisterClient(ctx, oauth.Client{ID: foreignID, TenantID: otherTenant.ID, Name: "Other App",
			RedirectURIs: []string{appRedirect}, Scopes: apitokens.Scopes}); err != nil {
			t.Fatal(err)
		}
		v := oauth2.GenerateVerifier()
		for name, cfg := range map[string]*oauth2.Config{
			"unknown client":         appConfig(s, "app_unknown", appRedirect),
			"unregistered redirect":  appConfig(s, clientID, "com.example.salveapp:/elsewhere"),
			"another tenant's app":   appConfig(s, foreignID, appRedirect),
			"redirect to a web site": appConfig(s, clientID, "https://evil.example/cb"),
		} {
			u, _ := url.Parse(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(v)))
			resp, body := testkit.Do(t, pc, s.NewRequest(t, "GET", "/oauth/authorize?"+u.RawQuery, nil))
			if resp.StatusCode != 400 || resp.Header.Get("Location") != "" || !strings.Contains(body, "cannot connect") {
				t.Errorf("%s: %d to %q", name, resp.StatusCode, resp.Header.Get("Location"))
			}
			f := u.Query()
			f.Set("decision", "approve")
			if resp, _ := testkit.Do(t, pc, s.NewRequest(t, "POST", "/oauth/authorize", f)); resp.StatusCode != 400 || resp.Header.Get("Location") != "" {
				t.Errorf("%s, approved: %d to %q", name, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		if _, err := appConfig(s, foreignID, appRedirect).Exchange(ctx, "sac_x", oauth2.VerifierOption(v)); oauthErrorOf(err) != "invalid_client" {
			t.Errorf("another tenant's client at the token endpoint: %v", err)
		}

		// Errors the app is told of, at its registered redirect URI, with its state.
		base := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {appRedirect}, "state": {"s1"},
			"code_challenge": {oauth2.S256ChallengeFromVerifier(v)}, "code_challenge_method": {"S256"}}
		for name, c := range map[string]struct{ key, value, want string }{
			"plain PKCE":         {"code_challenge_method", "plain", "invalid_request"},
			"no PKCE":            {"code_challenge", "", "invalid_request"},
			"implicit":           {"response_type", "token", "unsupported_response_type"},
			"unknown scope":      {"scope", "orders:write", "invalid_scope"},
			"scope not for this": {"scope", "orders:read devices:read", "invalid_scope"},
		} {
			q := url.Values{}
			for k, vs := range base {
				q[k] = slices.Clone(vs)
			}
			q.Set(c.key, c.value)
			resp, _ := testkit.Do(t, pc, s.NewRequest(t, "GET", "/oauth/authorize?"+q.Encode(), nil))
			loc, _ := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != 302 || loc == nil || loc.Scheme+":"+loc.Path != appRedirect || loc.Query().Get("error") != c.want ||
				loc.Query().Get("state") != "s1" || loc.Query().Get("code") != "" {
				t.Errorf("%s: %d to %q, want error %s", name, resp.StatusCode, resp.Header.Get("Location"), c.want)
			}
		}
		// Denied: access_denied with the state, no code.
		loc := consent(t, s, pc, conf.AuthCodeURL("st-9", oauth2.S256ChallengeOption(v)), "deny")
		if loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "st-9" || loc.Query().Get("code") != "" {
			t.Errorf("deny: %s", loc)
		}
		// Staff do not approve apps; a signed-out visitor signs in first.
		staff := s.ClientAs(t, doc)
		if resp, _ := testkit.Do(t, staff, s.NewRequest(t, "GET", "/oauth/authorize?"+base.Encode(), nil)); resp.StatusCode != 404 {
			t.Errorf("a clinician on the consent page: %d", resp.StatusCode)
		}
		resp, _ = testkit.Do(t, s.Client(), s.NewRequest(t, "GET", "/oauth/authorize?"+base.Encode(), nil))
		if l := resp.Header.Get("Location"); resp.StatusCode != 303 || !strings.HasPrefix(l, "/login?next=") {
			t.Errorf("signed out: %d to %q", resp.StatusCode, l)
		}
	})
}

// TestOAuthTokens: an app's access token reaches exactly the /api/v1
// routes of its scopes (every api-class route, table-driven), reads only
// its patient's records, and stops on its next request once revoked: by
// the patient on /account/apps or by the app (RFC 7009). Refresh tokens
// rotate; a rotated one presented again revokes the whole family.
// Both engines.
func TestOAuthTokens(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		prod := &catalog.Product{Name: "Test Strips", Variants: []catalog.Variant{{SKU: "TS-50", Name: "50 strips", Price: 2499, Stock: 10}}}
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, prod); err != nil {
			t.Fatal(err)
		}
		doc := s.NewPerson(t, access.RoleClinician)
		manager := s.NewPerson(t, access.RoleStoreManager).ID
		mine := seedTokenData(t, s, prod.Variants[0].ID, doc, manager)
		theirs := seedTokenData(t, s, prod.Variants[0].ID, doc, manager)
		pc := s.ClientAs(t, mine.patient)
		clientID := registerApp(t, s, "orders:read", "lists:read", "results:read")

		// One token per scope.
		single := map[apitokens.Scope]*oauth2.Token{}
		for _, sc := range apitokens.Scopes {
			conf := appConfig(s, clientID, appRedirect, string(sc))
			code, verifier := authorize(t, s, pc, conf)
			tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatal(err)
			}
			if tok.Extra("scope") != string(sc) {
				t.Errorf("scope answered: %v", tok.Extra("scope"))
			}
			single[sc] = tok
		}
		fill := func(pattern string, d tokenData) string {
			path := strings.SplitN(pattern, " ", 2)[1]
			path = strings.Replace(path, "/api/v1/orders/{id}", "/api/v1/orders/"+d.order, 1)
			path = strings.Replace(path, "/api/v1/results/{id}", "/api/v1/results/"+d.report, 1)
			if strings.Contains(path, "{") {
				t.Fatalf("no id for %s: add it to this table", pattern)
			}
			return path
		}
		n := 0
		for _, rt := range s.Router().Routes() {
			if rt.Class != access.API {
				continue
			}
			n++
			path := fill(rt.Pattern, mine)
			for sc, tok := range single {
				want := 404
				if string(sc) == rt.Scope {
					want = 200
				}
				if code, body := apiCall(t, s, tok.AccessToken, path); code != want {
					t.Errorf("%s with the app's %s token: %d, want %d: %s", path, sc, code, want, body)
				}
				if other := fill(rt.Pattern, theirs); other != path {
					if code, _ := apiCall(t, s, tok.AccessToken, other); code != 404 {
						t.Errorf("another patient's %s: %d, want 404", other, code)
					}
				}
			}
		}
		if n < 5 {
			t.Fatalf("only %d api-class routes", n)
		}

		// Refresh rotation and reuse detection.
		orders := single[apitokens.OrdersRead]
		status, got := postToken(t, s, "/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {orders.RefreshToken}, "client_id": {clientID}})
		newRefresh, _ := got["refresh_token"].(string)
		newAccess, _ := got["access_token"].(string)
		if status != 200 || newRefresh == "" || newRefresh == orders.RefreshToken || newAccess == "" {
			t.Fatalf("refresh: %d %v", status, got)
		}
		if code, _ := apiCall(t, s, newAccess, "/api/v1/orders"); code != 200 {
			t.Errorf("refreshed access token: %d", code)
		}
		if status, got := postToken(t, s, "/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {newRefresh},
			"client_id": {clientID}, "scope": {"orders:read results:read"}}); status != 400 || got["error"] != "invalid_scope" {
			t.Errorf("widening refresh: %d %v", status, got)
		}
		// The old refresh token again: refused, and the family revoked.
		if status, got := postToken(t, s, "/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {orders.RefreshToken},
			"client_id": {clientID}}); status != 400 || got["error"] != "invalid_grant" {
			t.Errorf("reused refresh token: %d %v", status, got)
		}
		if code, _ := apiCall(t, s, newAccess, "/api/v1/orders"); code != 401 {
			t.Errorf("access token of a family with a reused refresh token: %d, want 401", code)
		}
		if status, got := postToken(t, s, "/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {newRefresh},
			"client_id": {clientID}}); status != 400 || got["error"] != "invalid_grant" {
			t.Errorf("newest refresh token of a revoked family: %d %v", status, got)
		}
		reuse := false
		for _, r := range auditOf(t, s, mine.patient.ID) {
			reuse = reuse || r.Action == "oauth.refresh_reuse"
		}
		if !reuse {
			t.Error("the reuse is not in the audit log")
		}
		// Another client's refresh token, an unknown grant type.
		if status, got := postToken(t, s, "/oauth/token", url.Values{"grant_type": {"password"}, "client_id": {clientID}}); status != 400 ||
			got["error"] != "unsupported_grant_type" {
			t.Errorf("password grant: %d %v", status, got)
		}

		// Revoked by the app (RFC 7009): the refresh token ends the grant.
		lists := single[apitokens.ListsRead]
		if code, _ := apiCall(t, s, lists.AccessToken, "/api/v1/lists"); code != 200 {
			t.Fatalf("before revocation: %d", code)
		}
		if status, _ := postToken(t, s, "/oauth/revoke", url.Values{"token": {"srt_unknown"}, "client_id": {clientID}}); status != 200 {
			t.Errorf("unknown token revoked: %d", status)
		}
		if status, _ := postToken(t, s, "/oauth/revoke", url.Values{"token": {lists.RefreshToken}, "client_id": {clientID}}); status != 200 {
			t.Errorf("revoke: %d", status)
		}
		if code, body := apiCall(t, s, lists.AccessToken, "/api/v1/lists"); code != 401 || !strings.Contains(body, "Refresh it") {
			t.Errorf("after the app revoked: %d %s", code, body)
		}

		// Disconnected by the patient: refused on the next request; another
		// patient cannot disconnect it (404).
		results := single[apitokens.ResultsRead]
		grants, err := s.Services().OAuth.Grants(ctx, s.Tenant.ID, mine.patient.ID)
		if err != nil {
			t.Fatal(err)
		}
		var grantID string
		for _, g := range grants {
			if slices.Equal(g.Scopes, []apitokens.Scope{apitokens.ResultsRead}) {
				grantID = g.ID
			}
		}
		if grantID == "" || len(grants) != 1 {
			t.Fatalf("connected apps: %+v", grants)
		}
		oc := s.ClientAs(t, theirs.patient)
		if resp, _ := testkit.Do(t, oc, s.NewRequest(t, "POST", "/account/apps/"+grantID+"/revoke", url.Values{})); resp.StatusCode != 404 {
			t.Errorf("another patient disconnected it: %d", resp.StatusCode)
		}
		if code, _ := apiCall(t, s, results.AccessToken, "/api/v1/results"); code != 200 {
			t.Fatalf("before disconnecting: %d", code)
		}
		if resp, body := testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/apps/"+grantID+"/revoke", url.Values{})); resp.StatusCode != 200 ||
			!strings.Contains(body, "disconnected") {
			t.Fatalf("disconnect: %d", resp.StatusCode)
		}
		if code, _ := apiCall(t, s, results.AccessToken, "/api/v1/results"); code != 401 {
			t.Errorf("after disconnecting: %d, want 401", code)
		}
		if status, got := postToken(t, s, "/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {results.RefreshToken},
			"client_id": {clientID}}); status != 400 || got["error"] != "invalid_grant" {
			t.Errorf("refresh after disconnecting: %d %v", status, got)
		}
		_, body := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/apps", nil))
		if !strings.Contains(body, "No apps are connected") {
			t.Error("a disconnected app is still listed")
		}

		// An expired access token is refused; a disabled app's tokens too.
		conf := appConfig(s, clientID, appRedirect, "orders:read")
		code, verifier := authorize(t, s, pc, conf)
		tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		s.Clock.Advance(oauth.AccessTTL + time.Second)
		if code, _ := apiCall(t, s, tok.AccessToken, "/api/v1/orders"); code != 401 {
			t.Errorf("expired access token: %d", code)
		}
	})
}

// appTokenFor registers an app directly (no approval pages) and gives it
// tokens of a patient with every scope, through the service's own steps:
// prepare, approve, exchange. It returns the grant id and the tokens.
func appTokenFor(t testing.TB, s *testkit.Server, patientID string) (string, *oauth.Issued) {
	t.Helper()
	ctx := context.Background()
	svc := s.Services().OAuth
	c := oauth.Client{ID: oauth.NewClientID(), TenantID: s.Tenant.ID, Name: "Matrix App", RedirectURIs: []string{appRedirect}, Scopes: apitokens.Scopes}
	if err := svc.RegisterClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	verifier := oauth2.GenerateVerifier()
	p, err := svc.Prepare(ctx, s.Tenant.ID, oauth.AuthRequest{ResponseType: "code", ClientID: c.ID, RedirectURI: appRedirect,
		Challenge: oauth2.S256ChallengeFromVerifier(verifier), Method: "S256"})
	if err != nil {
		t.Fatal(err)
	}
	pctx := access.WithActor(ctx, access.Actor{ID: patientID, Role: access.RolePatient, TenantID: s.Tenant.ID})
	code, err := svc.Approve(pctx, s.Tenant.ID, patientID, p)
	if err != nil {
		t.Fatal(err)
	}
	issued, err := svc.Token(ctx, s.Tenant.ID, oauth.TokenRequest{GrantType: "authorization_code", ClientID: c.ID, Code: code,
		RedirectURI: appRedirect, Verifier: verifier})
	if err != nil {
		t.Fatal(err)
	}
	grants, err := svc.Grants(ctx, s.Tenant.ID, patientID)
	if err != nil || len(grants) == 0 {
		t.Fatalf("grants: %v", err)
	}
	return grants[0].ID, issued
}
