package testkit

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// Person is an account made for a test, signed in.
type Person struct {
	ID, Email, Password string
	Role                access.Role
	TenantID            string
	// Token is the session cookie's value.
	Token string
	// TOTPSecret is the authenticator secret of staff (every staff role has
	// MFA); empty for patients.
	TOTPSecret string
}

// PersonPassword is the password of every Person.
const PersonPassword = "a long test password"

// NewPerson creates an account of a role in the server's default tenant and
// signs it in; staff set up an authenticator first, as they must.
func (s *Server) NewPerson(t testing.TB, role access.Role) Person {
	t.Helper()
	return s.NewPersonIn(t, s.Tenant, role)
}

// NewPersonIn is NewPerson in another tenant.
func (s *Server) NewPersonIn(t testing.TB, ten *tenant.Tenant, role access.Role) Person {
	t.Helper()
	ctx := context.Background()
	svc := s.Services()
	p := Person{Email: string(role) + "-" + strings.ToLower(id.New()[24:]) + "@example.com", Password: PersonPassword, Role: role, TenantID: ten.ID}
	var err error
	if p.ID, err = svc.Accounts.CreateUser(ctx, ten.ID, role, p.Email, "Test Person", p.Password); err != nil {
		t.Fatal(err)
	}
	tok, sess, err := svc.SignIn.Login(ctx, ten, signin.Attempt{Email: p.Email, Password: p.Password, ClientIP: "127.0.0.1", Device: "Test"})
	if err != nil {
		t.Fatal(err)
	}
	if role.Staff() {
		enrol, err := svc.SignIn.BeginTOTP(ctx, sess, ten.Name)
		if err != nil {
			t.Fatal(err)
		}
		code, _ := auth.TOTPCode(enrol.Secret, s.Clock.Now())
		if tok, _, _, err = svc.SignIn.ConfirmTOTP(ctx, sess, code); err != nil {
			t.Fatal(err)
		}
		p.TOTPSecret = enrol.Secret
		// The code is spent; the next one belongs to the next time step.
		s.Clock.Advance(30 * time.Second)
	}
	p.Token = tok
	return p
}

// ClientAs returns a client (no redirects followed) carrying the person's
// session cookie.
func (s *Server) ClientAs(t testing.TB, p Person) *http.Client {
	t.Helper()
	c := s.Client()
	u, _ := url.Parse(s.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: web.CookiePlain, Value: p.Token, Path: "/"}})
	return c
}

// Do sends a request and returns the response with its body read.
func Do(t testing.TB, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

var tokenRE = regexp.MustCompile(`token=([A-Za-z0-9_-]{43})`)

// LastLink returns the one-time token in the newest queued email to addr.
func (s *Server) LastLink(t testing.TB, addr string) string {
	t.Helper()
	s.Services().After.Wait() // emails some forms queue after their answer
	ctx := access.WithActor(context.Background(), access.System("test", s.Tenant.ID))
	items, err := s.Services().Outbox.Recent(ctx, s.Tenant.ID, 200)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if strings.EqualFold(it.To.Reveal(), addr) {
			if m := tokenRE.FindStringSubmatch(it.Text.Reveal()); m != nil {
				return m[1]
			}
		}
	}
	t.Fatalf("no email with a link to %s", addr)
	return ""
}
