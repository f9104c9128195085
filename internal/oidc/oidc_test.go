package oidc_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/oidc"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/testkit"
)

// authorize follows the provider's authorization endpoint as a browser would
// and returns the state and code it sends back to the redirect URL.
func authorize(t *testing.T, authURL string) (state, code string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Host != "127.0.0.1:9" {
		t.Fatalf("redirect to %q", resp.Header.Get("Location"))
	}
	return loc.Query().Get("state"), loc.Query().Get("code")
}

func TestOIDCEndToEnd(t *testing.T) {
	ctx := context.Background()
	staff := testkit.OIDCUser{Subject: "u-123", Email: "Pat@Acme.Example", EmailVerified: true, Name: "Pat Pharmacist"}
	p := testkit.StartOIDCProvider(t, "salve", "client-secret", staff)
	cfg := signin.OIDCConfig{Issuer: p.URL, ClientID: "salve", ClientSecret: "client-secret",
		RedirectURL: "http://127.0.0.1:9/login/sso/callback", AllowedDomains: []string{"acme.example"}}
	o, err := oidc.NewProvider(ctx, cfg, nil, time.Now)
	if err != nil {
		t.Fatal(err)
	}

	login := func() (signin.OIDCFlow, string, string) {
		u, s, err := o.AuthURL()
		if err != nil {
			t.Fatal(err)
		}
		q, _ := url.Parse(u)
		if q.Query().Get("code_challenge_method") != "S256" || q.Query().Get("nonce") == "" {
			t.Fatalf("auth URL lacks PKCE or nonce: %s", u)
		}
		state, code := authorize(t, u)
		return s, state, code
	}

	s, state, code := login()
	id, err := o.Exchange(ctx, s, state, code)
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != "u-123" || id.Email != "pat@acme.example" || id.Issuer != p.URL {
		t.Fatalf("identity %+v", id)
	}
	// The code is single-use.
	if _, err := o.Exchange(ctx, s, state, code); !errors.Is(err, oidc.ErrFailed) {
		t.Fatalf("replayed code: %v", err)
	}

	cases := []struct {
		name  string
		setup func()
		mess  func(s *signin.OIDCFlow, state, code *string)
	}{
		{"wrong state", nil, func(_ *signin.OIDCFlow, state, _ *string) { *state = "forged" }},
		{"wrong PKCE verifier", nil, func(s *signin.OIDCFlow, _, _ *string) { s.Verifier = "a-different-verifier-of-enough-length-000000" }},
		{"wrong nonce", nil, func(s *signin.OIDCFlow, _, _ *string) { s.Nonce = "other" }},
		{"forged signature", func() {
			k, _ := rsa.GenerateKey(rand.Reader, 2048)
			p.SignWith = k
		}, nil},
		{"other audience", func() { p.Tamper = func(c map[string]any) { c["aud"] = "someone-else" } }, nil},
		{"other issuer", func() { p.Tamper = func(c map[string]any) { c["iss"] = "https://evil.example" } }, nil},
		{"expired", func() {
			p.Tamper = func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() }
		}, nil},
		{"unverified email", func() { p.SetUser(testkit.OIDCUser{Subject: "x", Email: "pat@acme.example"}) }, nil},
		{"domain not allowed", func() {
			p.SetUser(testkit.OIDCUser{Subject: "x", Email: "pat@evil.example", EmailVerified: true})
		}, nil},
	}
	for _, c := range cases {
		p.Tamper, p.SignWith = nil, nil
		p.SetUser(staff)
		if c.setup != nil {
			c.setup()
		}
		s, state, code := login()
		if c.mess != nil {
			c.mess(&s, &state, &code)
		}
		if id, err := o.Exchange(ctx, s, state, code); !errors.Is(err, oidc.ErrFailed) {
			t.Errorf("%s: accepted %+v (%v)", c.name, id, err)
		}
	}

	// A wrong client secret fails at the token endpoint.
	p.Tamper, p.SignWith = nil, nil
	p.SetUser(staff)
	cfg.ClientSecret = "wrong"
	o2, err := oidc.NewProvider(ctx, cfg, nil, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	u, s2, _ := o2.AuthURL()
	state2, code2 := authorize(t, u)
	if _, err := o2.Exchange(ctx, s2, state2, code2); !errors.Is(err, oidc.ErrFailed) {
		t.Fatalf("wrong client secret: %v", err)
	}
}

func TestOIDCConfigErrors(t *testing.T) {
	if _, err := oidc.NewProvider(context.Background(), signin.OIDCConfig{}, nil, time.Now); err == nil {
		t.Fatal("empty config accepted")
	}
	if _, err := oidc.NewProvider(context.Background(), signin.OIDCConfig{Issuer: "http://127.0.0.1:1", ClientID: "x", RedirectURL: "http://127.0.0.1:9/cb"}, nil, time.Now); err == nil {
		t.Fatal("unreachable issuer accepted")
	}
}
