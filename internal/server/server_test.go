package server_test

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

func get(t *testing.T, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	return testkit.Do(t, c, req)
}

// checkSecurityHeaders asserts the headers every response carries.
func checkSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
	}
	for k, v := range want {
		if h.Get(k) != v {
			t.Errorf("%s: %s = %q, want %q", what, k, h.Get(k), v)
		}
	}
	csp := h.Get("Content-Security-Policy")
	for _, part := range []string{"default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, part) {
			t.Errorf("%s: CSP %q lacks %q", what, csp, part)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "http") {
		t.Errorf("%s: CSP allows inline code or another origin: %q", what, csp)
	}
	if pp := h.Get("Permissions-Policy"); !strings.Contains(pp, "camera=()") || !strings.Contains(pp, "geolocation=()") {
		t.Errorf("%s: Permissions-Policy too open: %q", what, pp)
	}
	if len(h.Get("X-Request-Id")) < 8 {
		t.Errorf("%s: no request id", what)
	}
}

func TestHomePageIsThemedAndHardened(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		c := s.Client()
		resp, body := get(t, c, s.NewRequest(t, "GET", "/", nil))
		if resp.StatusCode != 200 {
			t.Fatalf("GET / = %d: %s", resp.StatusCode, body)
		}
		checkSecurityHeaders(t, "home", resp.Header)
		// The home page is cached per catalog version (it shows the menu) and
		// revalidated: private, so no shared cache keeps the per-request part.
		if resp.Header.Get("Cache-Control") != "private, no-cache" {
			t.Errorf("home Cache-Control = %q", resp.Header.Get("Cache-Control"))
		}
		if resp.Header.Get("Strict-Transport-Security") != "" {
			t.Error("HSTS must only be sent over TLS")
		}
		if !strings.Contains(body, "Test Pharmacy") || !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, `href="#main"`) {
			t.Fatalf("home page lacks the tenant's name or the accessible layout:\n%s", body)
		}
		// No inline script or style anywhere in the page.
		if regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]`).MatchString(body) || strings.Contains(body, "<style") || strings.Contains(body, "style=") {
			t.Fatalf("page has inline script or style:\n%s", body)
		}
		// Every referenced asset, the theme included, is served.
		refs := regexp.MustCompile(`(?:href|src)="(/[^"]+)"`).FindAllStringSubmatch(body, -1)
		if len(refs) < 3 {
			t.Fatalf("expected stylesheet, theme and script references, got %v", refs)
		}
		for _, m := range refs {
			if !strings.HasPrefix(m[1], "/static/") && !strings.Contains(m[1], "?v=") {
				continue // a link to a page, not an asset
			}
			r, b := get(t, c, s.NewRequest(t, "GET", m[1], nil))
			if r.StatusCode != 200 {
				t.Errorf("GET %s = %d", m[1], r.StatusCode)
			}
			if strings.HasPrefix(m[1], "/theme.css") && !strings.Contains(b, "--brand:#1f4e79") {
				t.Errorf("theme stylesheet lacks the tenant's colour: %s", b)
			}
			if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
				t.Errorf("GET %s Cache-Control = %q, want long immutable cache", m[1], cc)
			}
		}
	})
}

func TestStaticAssets(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	c := s.Client()
	_, body := get(t, c, s.NewRequest(t, "GET", "/", nil))
	m := regexp.MustCompile(`src="(/static/vendor/htmx/htmx\.min\.[0-9a-f]{10}\.js)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("htmx is not referenced at a content-hash URL")
	}
	req := s.NewRequest(t, "GET", m[1], nil)
	req.Header.Set("Accept-Encoding", "gzip")
	// Go's transport would decompress transparently only if it asked itself.
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") {
		t.Fatalf("htmx: encoding %q type %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Type"))
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := io.ReadAll(zr)
	if !strings.Contains(string(js), "htmx") {
		t.Fatal("gzip body is not htmx")
	}
	etag := resp.Header.Get("ETag")
	req = s.NewRequest(t, "GET", m[1], nil)
	req.Header.Set("If-None-Match", etag)
	if r, _ := get(t, c, req); r.StatusCode != http.StatusNotModified {
		t.Fatalf("conditional GET = %d", r.StatusCode)
	}
	// Unhashed and unknown names are 404; a path with ".." is redirected to its
	// clean form by net/http, which is 404 as well.
	follow := &http.Client{}
	for _, bad := range []string{"/static/vendor/htmx/htmx.min.js", "/static/app.0000000000.css", "/static/../go.mod", "/static/%2e%2e/go.mod"} {
		if r, _ := get(t, follow, s.NewRequest(t, "GET", bad, nil)); r.StatusCode != 404 {
			t.Errorf("GET %s = %d, want 404", bad, r.StatusCode)
		}
	}
}

func TestHealthAndReadiness(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		c := s.Client()
		// Health checks answer for any host, even one no tenant claims.
		req := s.NewRequest(t, "GET", "/healthz", nil)
		req.Host = "probe.internal"
		if r, b := get(t, c, req); r.StatusCode != 200 || b != "ok\n" {
			t.Fatalf("healthz = %d %q", r.StatusCode, b)
		}
		r, b := get(t, c, s.NewRequest(t, "GET", "/readyz", nil))
		var rd struct {
			Status string
			Stores map[string]string
		}
		if err := json.Unmarshal([]byte(b), &rd); err != nil || r.StatusCode != 200 || rd.Status != "ok" || len(rd.Stores) != 3 {
			t.Fatalf("readyz = %d %s", r.StatusCode, b)
		}
		_ = s.Stores.PHI.Close()
		r, b = get(t, c, s.NewRequest(t, "GET", "/readyz", nil))
		if r.StatusCode != 503 || !strings.Contains(b, `"phi":"unreachable"`) {
			t.Fatalf("readyz with the PHI store closed = %d %s", r.StatusCode, b)
		}
	})
}

func TestTenantResolutionByHost(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	c := s.Client()
	req := s.NewRequest(t, "GET", "/", nil)
	req.Host = "unknown.example"
	if r, b := get(t, c, req); r.StatusCode != 200 || !strings.Contains(b, "Test Pharmacy") {
		t.Fatalf("unknown host should get the default tenant: %d", r.StatusCode)
	}
	// Without a default tenant, unknown hosts get 404.
	if _, err := s.Stores.Catalog.Writer().Exec(`UPDATE tenants SET is_default = $1`, false); err != nil {
		t.Fatal(err)
	}
	if err := s.Tenants().Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if r, _ := get(t, c, req); r.StatusCode != 404 {
		t.Fatalf("unknown host without default tenant = %d, want 404", r.StatusCode)
	}
	if r, _ := get(t, c, s.NewRequest(t, "GET", "/", nil)); r.StatusCode != 200 {
		t.Fatalf("claimed host = %d", r.StatusCode)
	}
}

func TestErrorsNegotiateHTMLOrProblemJSON(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	c := s.Client()
	r, body := get(t, c, s.NewRequest(t, "GET", "/no/such/page", nil))
	if r.StatusCode != 404 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "Test Pharmacy") {
		t.Fatalf("HTML 404: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	checkSecurityHeaders(t, "404", r.Header)
	req := s.NewRequest(t, "GET", "/no/such/page", nil)
	req.Header.Set("Accept", "application/json")
	r, body = get(t, c, req)
	var p struct {
		Status    int    `json:"status"`
		Title     string `json:"title"`
		RequestID string `json:"request_id"`
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil || r.StatusCode != 404 || r.Header.Get("Content-Type") != "application/problem+json" || p.Status != 404 || p.RequestID != r.Header.Get("X-Request-Id") {
		t.Fatalf("problem+json 404: %d %s %s", r.StatusCode, r.Header.Get("Content-Type"), body)
	}
	req.Header.Set("Accept", "text/html,application/json;q=0.9")
	if r, _ = get(t, c, req); !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("a browser preferring HTML got %s", r.Header.Get("Content-Type"))
	}
}

// TestNonPublicClassesNeedASignIn: without a session no route but a public
// one reaches its handler. Pages send the browser to sign in (and back);
// the JSON API answers 401; so do device routes, which take device tokens,
// not sessions (api.DeviceGuard says why 401 there).
func TestNonPublicClassesNeedASignIn(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	c := s.Client()
	for _, class := range access.Classes {
		if class == access.Public {
			continue
		}
		path := "/test/" + class.String()
		s.Router().Handle(class, "GET "+path, func(w http.ResponseWriter, r *http.Request) error {
			_, err := w.Write([]byte("secret"))
			return err
		})
		r, body := get(t, c, s.NewRequest(t, "GET", path, nil))
		if strings.Contains(body, "secret") {
			t.Errorf("%s route without a session reached its handler", class)
		}
		switch class {
		case access.API:
			if r.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("api route without a session = %d %s", r.StatusCode, r.Header.Get("Content-Type"))
			}
		case access.Device:
			if r.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("device route without a token = %d %s", r.StatusCode, r.Header.Get("Content-Type"))
			}
		default:
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login?next=%2Ftest%2F"+class.String() {
				t.Errorf("%s route without a session = %d to %q", class, r.StatusCode, r.Header.Get("Location"))
			}
		}
	}
}

// strip removes the request id, the only part of two 404 pages that may differ.
func strip(s string) string {
	return regexp.MustCompile(`<code>[0-9a-f]+</code>`).ReplaceAllString(s, "")
}
