package httpx

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
)

func TestForwardedForTrustsOnlyProxies(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	peer := netip.MustParseAddr("10.0.0.5")
	cases := []struct {
		xff  []string
		want string
	}{
		{nil, "10.0.0.5"},
		{[]string{"203.0.113.7"}, "203.0.113.7"},
		{[]string{"198.51.100.1, 203.0.113.7"}, "203.0.113.7"}, // the client wrote the left one
		{[]string{"203.0.113.7, 10.0.0.9"}, "203.0.113.7"},     // a second proxy of ours
		{[]string{"203.0.113.7", "10.0.0.9"}, "203.0.113.7"},   // split across headers
		{[]string{"garbage, 203.0.113.7"}, "203.0.113.7"},
		{[]string{"203.0.113.7, garbage"}, "10.0.0.5"},
	}
	for _, tc := range cases {
		if got := forwardedFor(tc.xff, peer, trusted); got.String() != tc.want {
			t.Errorf("forwardedFor(%q) = %s, want %s", tc.xff, got, tc.want)
		}
	}
}

func TestRequestContextIgnoresHeadersFromUntrustedPeers(t *testing.T) {
	var got *Info
	h := RequestContext([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, httpHandler(func(i *Info) { got = i }))
	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "203.0.113.9:5555"
	req.Header.Set("X-Forwarded-For", "1.2.3.4")
	req.Header.Set("X-Request-Id", "chosen")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got.ClientIP.String() != "203.0.113.9" || got.ID == "chosen" || len(got.ID) != 16 {
		t.Fatalf("untrusted peer: %+v", got)
	}
	req.RemoteAddr = "10.1.1.1:5555"
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got.ClientIP.String() != "1.2.3.4" || got.ID != "chosen" {
		t.Fatalf("trusted proxy: %+v", got)
	}
	req.Header.Set("X-Request-Id", "bad\nid")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if strings.Contains(got.ID, "\n") {
		t.Fatal("a request id with a newline was accepted")
	}
}

func TestStatusOfEveryCode(t *testing.T) {
	want := map[apperr.Code]int{
		apperr.Invalid: 400, apperr.NotFound: 404, apperr.Denied: 404, apperr.Unauthenticated: 401,
		apperr.Forbidden: 403, apperr.Conflict: 409, apperr.TooLarge: 413, apperr.RateLimited: 429,
		apperr.Unavailable: 503, apperr.Internal: 500, "unknown": 500,
	}
	for code, status := range want {
		if got := Status(code); got != status {
			t.Errorf("Status(%s) = %d, want %d", code, got, status)
		}
	}
}

func TestWantsJSON(t *testing.T) {
	cases := map[string]bool{
		"":                         false,
		"*/*":                      false,
		"application/json":         true,
		"application/problem+json": true,
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": false,
		"application/json;q=0.5, text/html":                               false,
		"text/html;q=0.1, application/json":                               true,
		"application/json;q=0":                                            false,
	}
	for accept, want := range cases {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Accept", accept)
		if got := WantsJSON(req); got != want {
			t.Errorf("WantsJSON(%q) = %v, want %v", accept, got, want)
		}
	}
}

func FuzzWantsJSON(f *testing.F) {
	for _, s := range []string{"", "application/json", "text/html;q=0.1, application/json", "a;q=x;;,=,;q=", "*/*;q=1e999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, accept string) {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header["Accept"] = []string{accept}
		_ = WantsJSON(req) // must not panic
	})
}

func FuzzForwardedFor(f *testing.F) {
	for _, s := range []string{"", "1.2.3.4", "1.2.3.4, 10.0.0.1", ",,,", "::1, [::1]", "10.0.0.1,10.0.0.2,10.0.0.3"} {
		f.Add(s)
	}
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	peer := netip.MustParseAddr("10.0.0.5")
	f.Fuzz(func(t *testing.T, xff string) {
		got := forwardedFor([]string{xff}, peer, trusted)
		if !got.IsValid() {
			t.Fatalf("forwardedFor(%q) returned no address", xff)
		}
	})
}

func FuzzRequestID(f *testing.F) {
	for _, s := range []string{"", "abc-123", "bad\nid", strings.Repeat("a", 65)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if validRequestID(id) && strings.ContainsAny(id, "\r\n\" \t") {
			t.Fatalf("accepted %q", id)
		}
	})
}

func TestRequestContextSetsTheAuditSource(t *testing.T) {
	var got audit.Source
	h := RequestContext(nil, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = audit.SourceFrom(r.Context()) }))
	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "203.0.113.9:5555"
	req.Header.Set("User-Agent", "probe/1")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if got.IP != "203.0.113.9" || got.UserAgent != "probe/1" || got.RequestID == "" || got.RequestID != rec.Header().Get("X-Request-Id") {
		t.Fatalf("audit source %+v", got)
	}
}
