package httpx

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
)

// TestRolesAreCheckedAfterTheGuard: a Roles route answers only actors with one
// of its roles; no actor, or another role, gets the 404 of any denial.
func TestRolesAreCheckedAfterTheGuard(t *testing.T) {
	var role access.Role
	guard := func(r *http.Request, _ Route) (*http.Request, error) {
		if role == "" {
			return r, nil
		}
		return r.WithContext(access.WithActor(r.Context(), access.Actor{ID: "u1", Role: role})), nil
	}
	rt := NewRouter(NewResponder(slog.New(slog.DiscardHandler), nil), nil, guard, 1<<20)
	rt.Handle(access.Staff, "GET /admin", func(w http.ResponseWriter, r *http.Request) error {
		_, err := io.WriteString(w, "reached")
		return err
	}, NoTenant(), Roles(access.RoleStoreManager, access.RoleAdmin))
	for _, c := range []struct {
		role access.Role
		want int
	}{{"", 404}, {access.RolePatient, 404}, {access.RolePharmacist, 404}, {access.RoleStoreManager, 200}, {access.RoleAdmin, 200}} {
		role = c.role
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, httptest.NewRequest("GET", "/admin", nil))
		if rec.Code != c.want {
			t.Errorf("role %q: status %d, want %d", c.role, rec.Code, c.want)
		}
		if c.want == 404 && strings.Contains(rec.Body.String(), "reached") {
			t.Errorf("role %q reached the handler", c.role)
		}
	}
}

// TestJSONRouteErrorsAreProblems: a public route with the JSON option answers
// its errors as application/problem+json even to a browser.
func TestJSONRouteErrorsAreProblems(t *testing.T) {
	html := func(w http.ResponseWriter, _ *http.Request, status int, _, _ string, _ map[string]string) error {
		w.WriteHeader(status)
		_, err := io.WriteString(w, "<html>")
		return err
	}
	rt := NewRouter(NewResponder(slog.New(slog.DiscardHandler), html), nil, DenyAllButPublic, 1<<20)
	nf := func(http.ResponseWriter, *http.Request) error { return apperr.NotFoundError() }
	rt.Handle(access.Public, "GET /api/x", nf, NoTenant(), JSON())
	rt.Handle(access.Public, "GET /page", nf, NoTenant())
	req := httptest.NewRequest("GET", "/api/x", nil)
	req = req.WithContext(WithInfo(req.Context(), &Info{}))
	req.Header.Set("Accept", "text/html")
	rec := httptest.NewRecorder()
	rt.ServeHTTP(rec, req)
	if rec.Code != 404 || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("json route: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	rec = httptest.NewRecorder()
	rt.ServeHTTP(rec, httptest.NewRequest("GET", "/page", nil))
	if rec.Code != 404 || rec.Body.String() != "<html>" {
		t.Fatalf("html route: %d %q", rec.Code, rec.Body.String())
	}
}

// TestErrorAfterTheAnswerBeganWritesNothingMore: a handler that fails after
// its header and part of its body went out (a client that went away, a
// failure mid-stream) gets no error page written after them; a vanished
// client is not logged as an error, any other failure is.
func TestErrorAfterTheAnswerBeganWritesNothingMore(t *testing.T) {
	var logged strings.Builder
	log := slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelInfo}))
	html := func(w http.ResponseWriter, _ *http.Request, status int, _, _ string, _ map[string]string) error {
		w.WriteHeader(status)
		_, err := io.WriteString(w, "<error page>")
		return err
	}
	rs := NewResponder(log, html)
	rt := NewRouter(rs, nil, DenyAllButPublic, 1<<20)
	rt.Handle(access.Public, "GET /gone", func(w http.ResponseWriter, _ *http.Request) error {
		_, _ = io.WriteString(w, "part")
		return fmt.Errorf("write: %w", syscall.EPIPE)
	}, NoTenant())
	rt.Handle(access.Public, "GET /broken", func(w http.ResponseWriter, _ *http.Request) error {
		_, _ = io.WriteString(w, "part")
		return errors.New("the store went away")
	}, NoTenant())
	h := AccessLog(slog.New(slog.DiscardHandler), nil, Recover(log, rs, rt))
	for _, c := range []struct {
		path   string
		logged bool
	}{{"/gone", false}, {"/broken", true}} {
		logged.Reset()
		req := httptest.NewRequest("GET", c.path, nil)
		req = req.WithContext(WithInfo(req.Context(), &Info{}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || rec.Body.String() != "part" {
			t.Errorf("%s: %d %q, want the answer as it began", c.path, rec.Code, rec.Body.String())
		}
		if got := strings.Contains(logged.String(), "level=ERROR"); got != c.logged {
			t.Errorf("%s: logged as an error %v, want %v: %s", c.path, got, c.logged, logged.String())
		}
	}
}
