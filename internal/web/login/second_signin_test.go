package login_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestSecondSignInEndsTheFirstSession: a browser that still carries a live
// session and signs in again (the next person at a shared computer, or the
// same one) gets a new token, and the token it carried stops working on the
// server, whoever it belonged to. Also through the second factor: the
// half-signed-in session and the finished one are each ended in turn.
func TestSecondSignInEndsTheFirstSession(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		first := s.NewPerson(t, access.RolePatient)
		second := s.NewPerson(t, access.RolePatient)
		alive := func(token string) bool {
			t.Helper()
			r, _ := testkit.Do(t, s.ClientAs(t, testkit.Person{Token: token}), s.NewRequest(t, "GET", "/account", nil))
			return r.StatusCode == http.StatusOK
		}
		c := s.Client()
		login := func(p testkit.Person) string {
			t.Helper()
			r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/login", url.Values{"email": {p.Email}, "password": {p.Password}, "next": {"/account"}}))
			ck := cookieOf(r)
			if r.StatusCode != http.StatusSeeOther || ck == nil {
				t.Fatalf("login: %d", r.StatusCode)
			}
			return ck.Value
		}
		a := login(first)
		if !alive(a) {
			t.Fatal("the first session does not work")
		}
		b := login(second)
		if a == b || !alive(b) {
			t.Fatal("the second sign-in did not give a working new token")
		}
		if alive(a) {
			t.Fatal("the first session still works after another sign-in in the same browser")
		}
		// The same person signing in again also ends the old token.
		c2 := login(second)
		if alive(b) || !alive(c2) {
			t.Fatal("signing in again as the same person left the old token alive")
		}

		// Staff: password (half signed in) then the second factor.
		admin := s.NewPerson(t, access.RoleAdmin)
		sc := s.Client()
		staffLogin := func() string {
			t.Helper()
			r, _ := testkit.Do(t, sc, s.NewRequest(t, "POST", "/login", url.Values{"email": {admin.Email}, "password": {admin.Password}}))
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("staff login: %d", r.StatusCode)
			}
			code, _ := auth.TOTPCode(admin.TOTPSecret, s.Clock.Now())
			r, _ = testkit.Do(t, sc, s.NewRequest(t, "POST", "/login/mfa", url.Values{"code": {code}, "next": {"/admin"}}))
			ck := cookieOf(r)
			if r.StatusCode != http.StatusSeeOther || ck == nil {
				t.Fatalf("staff second factor: %d", r.StatusCode)
			}
			return ck.Value
		}
		adminAlive := func(token string) bool {
			t.Helper()
			r, _ := testkit.Do(t, s.ClientAs(t, testkit.Person{Token: token}), s.NewRequest(t, "GET", "/admin", nil))
			return r.StatusCode == http.StatusOK
		}
		x := staffLogin()
		if !adminAlive(x) {
			t.Fatal("the admin session does not work")
		}
		s.Clock.Advance(31e9) // the next TOTP step: a used code is refused
		y := staffLogin()
		if adminAlive(x) || !adminAlive(y) {
			t.Fatal("a second staff sign-in left the first session alive")
		}
		if strings.Contains(s.Log.String(), first.Email) {
			t.Fatal("the log holds an address")
		}
	})
}
