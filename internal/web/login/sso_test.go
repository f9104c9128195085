package login_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestStaffSingleSignOn runs the whole OpenID Connect flow against a real
// provider on loopback (discovery, authorization code with PKCE, an RS256
// ID token verified by go-oidc), then Salve's own second factor.
func TestStaffSingleSignOn(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		rx := s.NewPerson(t, access.RolePharmacist)
		patient := s.NewPerson(t, access.RolePatient)
		idp := testkit.StartOIDCProvider(t, "salve-client", "client-secret", testkit.OIDCUser{Subject: "u-1", Email: strings.ToUpper(rx.Email), EmailVerified: true, Name: "Rx"})
		ctx := access.WithActor(context.Background(), access.System("test", s.Tenant.ID))
		if err := s.Services().SignIn.SetSSO(ctx, s.Tenant.ID, signin.SSO{Issuer: idp.URL, ClientID: "salve-client", ClientSecret: "client-secret"}); err != nil {
			t.Fatal(err)
		}
		plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		// flow goes from Salve to the provider and back, and returns the
		// callback's response.
		flow := func(c *http.Client, tamper func(string) string) (*http.Response, string, string) {
			t.Helper()
			r, _ := testkit.Do(t, c, s.NewRequest(t, "GET", "/login/sso?next=/account", nil))
			if r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), idp.URL+"/authorize?") {
				t.Fatalf("start: %d %s", r.StatusCode, r.Header.Get("Location"))
			}
			req, _ := http.NewRequest("GET", r.Header.Get("Location"), nil)
			r, _ = testkit.Do(t, plain, req)
			callback := r.Header.Get("Location")
			if r.StatusCode != 302 || !strings.HasPrefix(callback, s.URL+"/login/sso/callback?") {
				t.Fatalf("provider: %d %s", r.StatusCode, callback)
			}
			if tamper != nil {
				callback = tamper(callback)
			}
			cb, _ := url.Parse(callback)
			r, body := testkit.Do(t, c, s.NewRequest(t, "GET", cb.RequestURI(), nil))
			return r, body, cb.RequestURI()
		}

		c := s.Client()
		if _, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/login", nil)); !strings.Contains(body, "/login/sso") {
			t.Fatal("the sign-in page does not offer single sign-on")
		}
		r, _, callback := flow(c, nil)
		if r.StatusCode != 303 || r.Header.Get("Location") != "/login/mfa?next=%2Faccount" {
			t.Fatalf("callback: %d %s (single sign-on must still need the second factor)", r.StatusCode, r.Header.Get("Location"))
		}
		code, _ := auth.TOTPCode(rx.TOTPSecret, s.Clock.Now())
		r, _ = testkit.Do(t, c, s.NewRequest(t, "POST", "/login/mfa", url.Values{"code": {code}, "next": {"/account"}}))
		if r.StatusCode != 303 || r.Header.Get("Location") != "/account" {
			t.Fatalf("mfa after sso: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		// A callback works once.
		if r, _ := testkit.Do(t, s.Client(), s.NewRequest(t, "GET", callback, nil)); r.StatusCode != 422 {
			t.Fatalf("replayed callback: %d", r.StatusCode)
		}
		refused := func(what string, tamper func(string) string) {
			t.Helper()
			r, body, _ := flow(s.Client(), tamper)
			if r.StatusCode != 422 || !strings.Contains(body, "Single sign-on did not work") || len(r.Cookies()) > 0 {
				t.Errorf("%s: %d", what, r.StatusCode)
			}
		}
		refused("state changed", func(u string) string {
			return strings.Replace(u, "state=", "state=A", 1)[:len(u)]
		})
		idp.SetUser(testkit.OIDCUser{Subject: "u-1", Email: rx.Email, EmailVerified: false})
		refused("unverified email", nil)
		idp.SetUser(testkit.OIDCUser{Subject: "u-2", Email: "stranger@example.com", EmailVerified: true})
		refused("no such account", nil)
		idp.SetUser(testkit.OIDCUser{Subject: "u-3", Email: patient.Email, EmailVerified: true})
		refused("a patient's address", nil)
		forged, _ := rsa.GenerateKey(rand.Reader, 2048)
		idp.SetUser(testkit.OIDCUser{Subject: "u-1", Email: rx.Email, EmailVerified: true})
		idp.SignWith = forged
		refused("a token signed by another key", nil)
	})
}
