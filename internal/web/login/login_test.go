package login_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/web"
)

// cookieOf returns the session cookie a response set, or "".
func cookieOf(r *http.Response) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == web.CookiePlain {
			return c
		}
	}
	return nil
}

func TestRegisterVerifySignInThroughPages(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		c := s.Client()
		// Bad input keeps what was typed (never the password) and names the field.
		r, body := testkit.Do(t, c, s.NewRequest(t, "POST", "/register", url.Values{"email": {"pat@example.com"}, "name": {"Pat Q"}, "password": {"short"}}))
		if r.StatusCode != 422 || !strings.Contains(body, `value="pat@example.com"`) || !strings.Contains(body, `aria-invalid="true"`) || strings.Contains(body, `value="short"`) {
			t.Fatalf("bad register: %d\n%s", r.StatusCode, body)
		}
		r, body = testkit.Do(t, c, s.NewRequest(t, "POST", "/register", url.Values{"email": {"pat@example.com"}, "name": {"Pat Q"}, "password": {"correct horse battery staple"}}))
		if r.StatusCode != 200 || !strings.Contains(body, "Check your email") {
			t.Fatalf("register: %d\n%s", r.StatusCode, body)
		}
		token := s.LastLink(t, "pat@example.com")
		// The link's page does not spend it (mail scanners open links).
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "GET", "/verify?token="+token, nil)); r.StatusCode != 200 {
			t.Fatalf("verify page: %d", r.StatusCode)
		}
		r, _ = testkit.Do(t, c, s.NewRequest(t, "POST", "/verify", url.Values{"token": {token}}))
		if r.StatusCode != 303 || r.Header.Get("Location") != "/login?verified=1" {
			t.Fatalf("verify: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		// A planted cookie is never promoted: sign-in issues a new token.
		u, _ := url.Parse(s.URL)
		c.Jar.SetCookies(u, []*http.Cookie{{Name: web.CookiePlain, Value: strings.Repeat("A", 43), Path: "/"}})
		r, _ = testkit.Do(t, c, s.NewRequest(t, "POST", "/login", url.Values{"email": {"pat@example.com"}, "password": {"correct horse battery staple"}, "next": {"/account"}}))
		ck := cookieOf(r)
		if r.StatusCode != 303 || r.Header.Get("Location") != "/account" || ck == nil || ck.Value == strings.Repeat("A", 43) || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			t.Fatalf("login: %d %s %+v", r.StatusCode, r.Header.Get("Location"), ck)
		}
		r, body = testkit.Do(t, c, s.NewRequest(t, "GET", "/account/profile", nil))
		if r.StatusCode != 200 || !strings.Contains(body, "pat@example.com") || !strings.Contains(body, `value="Pat Q"`) {
			t.Fatalf("account: %d\n%s", r.StatusCode, body)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("account page Cache-Control %q", cc)
		}
		// Profile: a bad phone keeps the input; a good one is saved.
		r, body = testkit.Do(t, c, s.NewRequest(t, "POST", "/account/profile", url.Values{"name": {"Pat Quinn"}, "phone": {"call me maybe"}}))
		if r.StatusCode != 422 || !strings.Contains(body, `value="call me maybe"`) {
			t.Fatalf("bad phone: %d", r.StatusCode)
		}
		r, body = testkit.Do(t, c, s.NewRequest(t, "POST", "/account/profile", url.Values{"name": {"Pat Quinn"}, "phone": {"+1 555 0100"}}))
		if r.StatusCode != 200 || !strings.Contains(body, "555 0100") || !strings.Contains(body, "profile was saved") {
			t.Fatalf("profile: %d", r.StatusCode)
		}
		// Sign-out kills the session on the server: the old cookie is dead.
		old := ck.Value
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/logout", url.Values{})); r.StatusCode != 303 {
			t.Fatalf("logout: %d", r.StatusCode)
		}
		c2 := s.ClientAs(t, testkit.Person{Token: old})
		if r, _ := testkit.Do(t, c2, s.NewRequest(t, "GET", "/account", nil)); r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Fatalf("old cookie after logout: %d", r.StatusCode)
		}
		// No PHI in the logs: not the address, not the name, not the phone.
		for _, secret := range []string{"pat@example.com", "Pat Quinn", "555 0100"} {
			if strings.Contains(s.Log.String(), secret) {
				t.Fatalf("the log holds %q", secret)
			}
		}
	})
}

func TestStaffSignInThroughMFAPages(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	admin := s.NewPerson(t, access.RoleAdmin)
	c := s.Client()
	login := func() *http.Response {
		t.Helper()
		r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/login", url.Values{"email": {admin.Email}, "password": {admin.Password}, "next": {"/admin"}}))
		return r
	}
	r := login()
	if r.StatusCode != 303 || r.Header.Get("Location") != "/login/mfa?next=%2Fadmin" {
		t.Fatalf("staff login: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	// Half signed in: the admin page sends to the second factor.
	if r, _ := testkit.Do(t, c, s.NewRequest(t, "GET", "/admin", nil)); r.StatusCode != 303 || r.Header.Get("Location") != "/login/mfa" {
		t.Fatalf("admin before MFA: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	r, body := testkit.Do(t, c, s.NewRequest(t, "POST", "/login/mfa", url.Values{"code": {"000000"}, "next": {"/admin"}}))
	if r.StatusCode != 422 || !strings.Contains(body, "code is not right") {
		t.Fatalf("wrong code: %d", r.StatusCode)
	}
	code, _ := auth.TOTPCode(admin.TOTPSecret, s.Clock.Now())
	r, _ = testkit.Do(t, c, s.NewRequest(t, "POST", "/login/mfa", url.Values{"code": {code}, "next": {"/admin"}}))
	if r.StatusCode != 303 || r.Header.Get("Location") != "/admin" {
		t.Fatalf("right code: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	r, body = testkit.Do(t, c, s.NewRequest(t, "GET", "/admin", nil))
	if r.StatusCode != 200 || !strings.Contains(body, admin.Email) {
		t.Fatalf("admin page: %d", r.StatusCode)
	}
	// Invite a pharmacist; the demo's outbox page shows the invitation.
	r, body = testkit.Do(t, c, s.NewRequest(t, "POST", "/admin/users/invite", url.Values{"email": {"new-rx@example.com"}, "role": {"pharmacist"}}))
	if r.StatusCode != 200 || !strings.Contains(body, "invitation was sent") {
		t.Fatalf("invite: %d\n%s", r.StatusCode, body)
	}
	// The outbox lists it masked; opened with a reason, it shows the link.
	r, body = testkit.Do(t, c, s.NewRequest(t, "GET", "/admin/outbox", nil))
	if r.StatusCode != 200 || strings.Contains(body, "new-rx@example.com") || !strings.Contains(body, "n***@e***.com") {
		t.Fatalf("outbox: %d", r.StatusCode)
	}
	open := regexp.MustCompile(`action="(/admin/outbox/[^"]+/open)"`).FindStringSubmatch(body)
	if open == nil {
		t.Fatal("outbox: no message to open")
	}
	r, body = testkit.Do(t, c, s.NewRequest(t, "POST", open[1], url.Values{"reason": {"no_mail_relay"}}))
	if r.StatusCode != 200 || !strings.Contains(body, "new-rx@example.com") || !strings.Contains(body, "/invite?token=") {
		t.Fatalf("outbox message: %d", r.StatusCode)
	}
	// The invited pharmacist sets a password, signs in and must enrol.
	inv := s.Client()
	token := s.LastLink(t, "new-rx@example.com")
	r, _ = testkit.Do(t, inv, s.NewRequest(t, "POST", "/invite", url.Values{"token": {token}, "name": {"Rita Rx"}, "password": {"pharmacy pw 1"}}))
	if r.StatusCode != 303 {
		t.Fatalf("accept invite: %d", r.StatusCode)
	}
	r, _ = testkit.Do(t, inv, s.NewRequest(t, "POST", "/login", url.Values{"email": {"new-rx@example.com"}, "password": {"pharmacy pw 1"}}))
	if r.StatusCode != 303 || r.Header.Get("Location") != "/account/mfa" {
		t.Fatalf("invited login: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if r, _ := testkit.Do(t, inv, s.NewRequest(t, "GET", "/account", nil)); r.StatusCode != 303 || r.Header.Get("Location") != "/account/mfa" {
		t.Fatalf("staff without MFA reached the account page: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if r, _ := testkit.Do(t, inv, s.NewRequest(t, "POST", "/account/mfa/begin", url.Values{})); r.StatusCode != 303 {
		t.Fatalf("begin enrolment: %d", r.StatusCode)
	}
	r, body = testkit.Do(t, inv, s.NewRequest(t, "GET", "/account/mfa", nil))
	m := regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`).FindStringSubmatch(body)
	if r.StatusCode != 200 || m == nil {
		t.Fatalf("enrolment page: %d\n%s", r.StatusCode, body)
	}
	if r, _ := testkit.Do(t, inv, s.NewRequest(t, "GET", "/account/mfa/qr.png", nil)); r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("qr: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	code, _ = auth.TOTPCode(m[1], s.Clock.Now())
	r, body = testkit.Do(t, inv, s.NewRequest(t, "POST", "/account/mfa", url.Values{"code": {code}}))
	if r.StatusCode != 200 || strings.Count(body, "<li>") < 10 {
		t.Fatalf("confirm enrolment: %d\n%s", r.StatusCode, body)
	}
	if r, _ := testkit.Do(t, inv, s.NewRequest(t, "GET", "/account/security", nil)); r.StatusCode != 200 {
		t.Fatalf("security page after enrolment: %d", r.StatusCode)
	}
}

func auditQuery(tenantID, subject string) audit.Query {
	return audit.Query{TenantID: tenantID, Subject: subject, Limit: 1000}
}
