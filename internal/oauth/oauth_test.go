package oauth

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/apitokens"
)

// TestVerifyS256 checks the RFC 7636 Appendix B example, and that a
// verifier of the wrong shape or another verifier fails.
func TestVerifyS256(t *testing.T) {
	const verifier, challenge = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	if !VerifyS256(verifier, challenge) {
		t.Error("the RFC 7636 example does not verify")
	}
	for _, v := range []string{verifier[:42], verifier + "!", strings.Replace(verifier, "d", "e", 1), challenge, ""} {
		if VerifyS256(v, challenge) {
			t.Errorf("verifier %q verified", v)
		}
	}
}

// TestCheckClient: what a registration accepts and refuses.
func TestCheckClient(t *testing.T) {
	ok := []string{"com.example.app:/oauth", "https://app.example.com/cb", "http://127.0.0.1:8080/cb", "http://[::1]/cb"}
	c, err := CheckClient("App", append(ok, ok[0]), []string{"results:read", "orders:read"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.RedirectURIs, ok) || !slices.Equal(c.Scopes, []apitokens.Scope{apitokens.OrdersRead, apitokens.ResultsRead}) {
		t.Errorf("client %+v", c)
	}
	for _, bad := range []string{"http://example.com/cb", "https://app.example.com/cb#x", "/relative", "javascript:alert(1)", "myapp:/cb",
		"https:///nohost", "http://localhost/cb"} {
		if _, err := CheckClient("App", []string{bad}, []string{"orders:read"}); err == nil {
			t.Errorf("redirect URI %q accepted", bad)
		}
	}
	if _, err := CheckClient("", nil, []string{"orders:write"}); err == nil {
		t.Error("empty registration accepted")
	}
}

// FuzzCheckClient: registration input never panics, and whatever it
// accepts is a redirect URI the rules allow (absolute, no fragment, https
// with a host, http on loopback only, or a reverse-domain scheme) and known
// scopes.
func FuzzCheckClient(f *testing.F) {
	f.Add("App", "com.example.app:/oauth https://x.example/cb", "orders:read")
	f.Add("", "http://127.0.0.1:1/cb\nhttp://evil/cb", "lists:read results:read")
	f.Add("x", "https://a#b", "x")
	f.Fuzz(func(t *testing.T, name, uris, scopes string) {
		c, err := CheckClient(name, strings.Fields(uris), strings.Fields(scopes))
		if err != nil {
			return
		}
		if c.Name == "" || len(c.RedirectURIs) == 0 || len(c.Scopes) == 0 {
			t.Fatalf("accepted an empty part: %+v", c)
		}
		for _, u := range c.RedirectURIs {
			p, err := url.Parse(u)
			if err != nil || p.Fragment != "" || strings.Contains(u, "#") {
				t.Fatalf("accepted %q", u)
			}
			switch s := strings.ToLower(p.Scheme); {
			case s == "https" && p.Host != "":
			case s == "http" && (p.Hostname() == "127.0.0.1" || p.Hostname() == "::1"):
			case s != "http" && s != "https" && strings.Contains(s, "."):
			default:
				t.Fatalf("accepted %q", u)
			}
		}
		for _, sc := range c.Scopes {
			if !slices.Contains(apitokens.Scopes, sc) {
				t.Fatalf("accepted scope %q", sc)
			}
		}
	})
}

// FuzzParseScopes: the scope parameter parser never panics, and what it
// accepts are known scopes without repeats that print back to a parameter
// that parses to the same.
func FuzzParseScopes(f *testing.F) {
	f.Add("orders:read lists:read")
	f.Add("results:read  results:read\torders:read")
	f.Add("orders:write")
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseScopes(s)
		if !ok {
			return
		}
		again, ok := ParseScopes(ScopeString(got))
		if !ok || !slices.Equal(got, again) {
			t.Fatalf("%q: %v then %v", s, got, again)
		}
		for i, sc := range got {
			if !slices.Contains(apitokens.Scopes, sc) || slices.Contains(got[i+1:], sc) {
				t.Fatalf("%q: %v", s, got)
			}
		}
	})
}
