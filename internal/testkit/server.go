package testkit

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
)

// TestArgon2 is a cheap password hash for tests (the smallest cost the
// hasher accepts); production uses auth.DefaultArgon2.
var TestArgon2 = auth.Argon2Params{MemoryKiB: 8 * 1024, Time: 1, Threads: 1}

// Server is a real Salve server on a loopback port, on fresh stores.
type Server struct {
	*server.Server
	URL    string // http://127.0.0.1:PORT
	Config *config.Config
	Stores *server.Stores
	Log    *LogBuffer
	Clock  *clock.Fake
	Place  Place
	// Tenant is the default tenant, answering 127.0.0.1 and unknown hosts.
	Tenant *tenant.Tenant
}

// StartServer migrates fresh stores on the engine, creates a default tenant,
// and serves on loopback until the test ends. configure may change the config.
func StartServer(t testing.TB, e store.Engine, configure ...func(*config.Config)) *Server {
	t.Helper()
	return StartServerWithGuard(t, e, nil, configure...)
}

// TestRoleHeader is the request header TestGuard reads the role from.
const TestRoleHeader = "X-Test-Role"

// TestGuard is a guard for tests that need an actor without signing in: a
// request with an X-Test-Role header acts as a user of that role in the
// request's tenant (any class but Public needs it); without it, only public
// routes pass. Never used outside tests.
func TestGuard(r *http.Request, route httpx.Route) (*http.Request, error) {
	role := access.Role(r.Header.Get(TestRoleHeader))
	if role == "" || !role.Valid() {
		return httpx.DenyAllButPublic(r, route)
	}
	a := access.Actor{ID: "test-user-" + string(role), Role: role}
	if t := tenant.FromContext(r.Context()); t != nil {
		a.TenantID = t.ID
	}
	return r.WithContext(access.WithActor(r.Context(), a)), nil
}

// StartServerWithGuard is StartServer with the server's guard replaced (nil:
// the default); see TestGuard.
func StartServerWithGuard(t testing.TB, e store.Engine, guard httpx.Guard, configure ...func(*config.Config)) *Server {
	t.Helper()
	ctx := context.Background()
	st := NewStores(t, e, configure...)
	cfg, stores, clk, logs, p, ten := st.Config, st.Stores, st.Clock, st.Log, st.Place, st.Tenant
	srv, err := server.New(ctx, cfg, stores, server.Options{Log: logs.Logger(), Clock: clk, Guard: guard, Argon2: TestArgon2})
	if err != nil {
		t.Fatal(err)
	}
	// Served as Run serves plain HTTP: whole responses in one write
	// (httpx.WholeListener), so every test's traffic goes through it.
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Listener = httpx.WholeListener(hs.Listener)
	hs.Config.ConnContext = httpx.WholeConnContext
	hs.Start()
	t.Cleanup(hs.Close)
	return &Server{Server: srv, URL: hs.URL, Config: cfg, Stores: stores, Log: logs, Clock: clk, Place: p, Tenant: ten}
}

// Rebuild builds another server.Server on the same stores and configuration,
// with an ACME HTTP client (for a test certificate authority); the caller runs
// it with Run.
func (s *Server) Rebuild(t testing.TB, acmeHTTP *http.Client) *server.Server {
	t.Helper()
	srv, err := server.New(context.Background(), s.Config, s.Stores, server.Options{Log: s.Log.Logger(), Clock: s.Clock, ACMEHTTP: acmeHTTP,
		Argon2: TestArgon2})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// Client returns an HTTP client with a cookie jar that does not follow
// redirects, so tests see every response.
func (s *Server) Client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// NewRequest builds a request to the server. State-changing requests carry a
// same-origin Origin header, as a browser's would.
func (s *Server) NewRequest(t testing.TB, method, path string, form url.Values) *http.Request {
	t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method != http.MethodGet && method != http.MethodHead {
		req.Header.Set("Origin", s.URL)
	}
	return req
}
