package server_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// echoPost is a state-changing route that says it was reached.
func echoPost(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	_, err := w.Write([]byte("changed:" + r.PostForm.Get("v")))
	return err
}

func TestCSRFRefusesCrossOriginStateChanges(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	s.Router().Handle(access.Public, "POST /test/change", echoPost)
	c := s.Client()
	form := url.Values{"v": {"1"}}

	cases := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"same origin (Origin)", map[string]string{"Origin": s.URL}, 200},
		{"same origin (Sec-Fetch-Site)", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": ""}, 200},
		{"cross site (Sec-Fetch-Site)", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, 403},
		{"cross origin (Origin only)", map[string]string{"Origin": "https://evil.example"}, 403},
		{"no headers, no cookie (API client)", map[string]string{"Origin": ""}, 200},
		{"no headers but cookies", map[string]string{"Origin": "", "Cookie": "s=1"}, 403},
	}
	for _, tc := range cases {
		req := s.NewRequest(t, "POST", "/test/change", form)
		for k, v := range tc.header {
			if v == "" {
				req.Header.Del(k)
			} else {
				req.Header.Set(k, v)
			}
		}
		r, body := get(t, c, req)
		if r.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d (%s)", tc.name, r.StatusCode, tc.want, body)
		}
		if tc.want == 403 && strings.Contains(body, "changed:") {
			t.Errorf("%s: the handler ran", tc.name)
		}
		checkSecurityHeaders(t, tc.name, r.Header)
	}
	// Safe methods are never blocked.
	req := s.NewRequest(t, "GET", "/", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if r, _ := get(t, c, req); r.StatusCode != 200 {
		t.Fatalf("cross-site GET = %d", r.StatusCode)
	}
}

func TestBodyLimits(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite, func(c *config.Config) { c.MaxBody = 4096 })
	s.Router().Handle(access.Public, "POST /test/change", echoPost)
	s.Router().Handle(access.Public, "POST /test/upload", echoPost, httpx.MaxBody(64<<10))
	c := s.Client()
	big := url.Values{"v": {strings.Repeat("x", 8000)}}
	r, body := get(t, c, s.NewRequest(t, "POST", "/test/change", big))
	if r.StatusCode != http.StatusRequestEntityTooLarge || strings.Contains(body, "changed:") {
		t.Fatalf("over the default limit: %d", r.StatusCode)
	}
	// Without a Content-Length the limit is enforced while reading.
	req := s.NewRequest(t, "POST", "/test/change", big)
	req.ContentLength = -1
	req.Body = http.NoBody
	req.Body = readerCloser{strings.NewReader(big.Encode())}
	if r, body = get(t, c, req); r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked over the limit: %d %s", r.StatusCode, body)
	}
	if r, body = get(t, c, s.NewRequest(t, "POST", "/test/upload", big)); r.StatusCode != 200 {
		t.Fatalf("route with a larger limit: %d %s", r.StatusCode, body)
	}
}

type readerCloser struct{ *strings.Reader }

func (readerCloser) Close() error { return nil }

func TestPanicBecomesSafe500AndLogsNoPHI(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	const canary = "CANARY-patient-Maria-Lopez"
	s.Router().Handle(access.Public, "GET /test/panic", func(w http.ResponseWriter, r *http.Request) error {
		panic("lookup failed for " + canary)
	})
	s.Router().Handle(access.Public, "GET /test/nilmap", func(w http.ResponseWriter, r *http.Request) error {
		var s []int
		s[len(r.URL.Path)] = 1 // index out of range: a runtime error
		return nil
	})
	s.Router().Handle(access.Public, "GET /test/error", func(w http.ResponseWriter, r *http.Request) error {
		return apperr.Internalf("query for %v failed: %w", phi.NewString(canary), errors.New("db down"))
	})
	c := s.Client()
	for _, path := range []string{"/test/panic", "/test/nilmap", "/test/error"} {
		r, body := get(t, c, s.NewRequest(t, "GET", path, nil))
		if r.StatusCode != 500 {
			t.Fatalf("%s = %d", path, r.StatusCode)
		}
		if strings.Contains(body, canary) || strings.Contains(body, "db down") || strings.Contains(body, "goroutine") {
			t.Fatalf("%s: the 500 page shows internals:\n%s", path, body)
		}
		if !strings.Contains(body, r.Header.Get("X-Request-Id")) {
			t.Fatalf("%s: the 500 page should give the request id as a reference", path)
		}
		checkSecurityHeaders(t, path, r.Header)
	}
	logs := s.Log.String()
	if strings.Contains(logs, canary) {
		t.Fatalf("PHI reached the log:\n%s", logs)
	}
	if !strings.Contains(logs, "index out of range") || !strings.Contains(logs, "panic of type string") || !strings.Contains(logs, "db down") {
		t.Fatalf("the log should say what failed:\n%s", logs)
	}
	// Internal errors are logged exactly once.
	if n := strings.Count(logs, "db down"); n != 1 {
		t.Fatalf("internal error logged %d times", n)
	}
}

func TestEveryLogLineOfARequestHasItsID(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	c := s.Client()
	r, _ := get(t, c, s.NewRequest(t, "GET", "/no/such?q=diabetes", nil))
	rid := r.Header.Get("X-Request-Id")
	found := 0
	for _, line := range s.Log.Lines() {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if rec["request_id"] == rid {
			found++
		}
		if strings.Contains(line, "diabetes") || strings.Contains(line, "/no/such") {
			t.Fatalf("the log holds the path or query: %s", line)
		}
	}
	if found < 2 { // the error line and the access line
		t.Fatalf("want at least 2 lines with request id %s, got %d:\n%s", rid, found, s.Log.String())
	}
}

func TestRequestIDFromTrustedProxyOnly(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	c := s.Client()
	req := s.NewRequest(t, "GET", "/", nil)
	req.Header.Set("X-Request-Id", "from-client-123")
	if r, _ := get(t, c, req); r.Header.Get("X-Request-Id") == "from-client-123" {
		t.Fatal("an untrusted client chose its request id")
	}
}
