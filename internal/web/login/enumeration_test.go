package login_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// What the enumeration tests compare, and why not timings: testkit.Work.

// TestForgotDoesNotTellWhoHasAnAccount: POST /forgot answers the same bytes
// after the same work for an address with an account and one without; the
// reset email goes out after the answer, to the account only.
func TestForgotDoesNotTellWhoHasAnAccount(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		known := s.NewPerson(t, access.RolePatient)
		c := s.Client()
		w0 := testkit.MeasureWork(t, s)
		answers, before := s.Trial(t, c, "/forgot", url.Values{"email": {known.Email}}, url.Values{"email": {"nobody@example.com"}})
		testkit.SameBeforeAnswer(t, answers, before)
		if !strings.Contains(answers[0], "If that address has an account") {
			t.Fatalf("answer: %s", answers[0])
		}
		// Afterwards: one reset email, to the account; nothing for nobody.
		if d := testkit.MeasureWork(t, s).Minus(w0); d["outbox"] != 1 || d["auth_tokens"] != 1 {
			t.Fatalf("after the answers: %v", d)
		}
		if s.LastLink(t, known.Email) == "" {
			t.Fatal("no reset link for the account")
		}
	})
}

// TestRegisterDoesNotTellWhoHasAnAccount: POST /register answers the same
// bytes after the same work (the same number of password hashes too) for a
// taken address and a new one; the account is made after the answer.
func TestRegisterDoesNotTellWhoHasAnAccount(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		known := s.NewPerson(t, access.RolePatient)
		c := s.Client()
		form := func(email string) url.Values {
			return url.Values{"email": {email}, "name": {"Pat Q"}, "password": {"correct horse battery staple"}}
		}
		answers, before := s.Trial(t, c, "/register", form(known.Email), form("new-patient@example.com"))
		testkit.SameBeforeAnswer(t, answers, before)
		if s.LastLink(t, "new-patient@example.com") == "" {
			t.Fatal("no verification link for the new account")
		}
	})
}

// TestSignInDoesNotTellWhoHasAnAccount: a wrong password for a real account
// and any password for an unknown address get the same answer bytes, cost
// the same password hashes (one: an unknown address is checked against a
// dummy hash), record one audit event each, queue nothing, start no session,
// and each records one failure: the account's count, or a throttle row for
// the unknown address. Timing is measured in bench/enumeration, not here.
func TestSignInDoesNotTellWhoHasAnAccount(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		known := s.NewPerson(t, access.RolePatient)
		c := s.Client()
		// A first failure of the client address writes its throttle row,
		// shared by what follows.
		s.Trial(t, c, "/login", url.Values{"email": {"warm-up@example.com"}, "password": {"x"}}, url.Values{"email": {"warm-up@example.com"}, "password": {"x"}})
		var first string
		for i := range 3 {
			answers, before := s.Trial(t, c, "/login",
				url.Values{"email": {known.Email}, "password": {"not the password at all"}},
				url.Values{"email": {fmt.Sprintf("nobody-%d@example.com", i)}, "password": {"not the password at all"}})
			if answers[0] != answers[1] || (first != "" && answers[0] != first) {
				t.Fatalf("answers differ:\n%s\n---\n%s\n---\n%s", answers[0], answers[1], first)
			}
			first = answers[0]
			// The one write that differs in place, not in kind: the failure
			// record (the account's row, or the unknown address's throttle).
			if before[0]["throttles"] != 0 || before[1]["throttles"] != 1 {
				t.Fatalf("failure records: known %v, unknown %v", before[0], before[1])
			}
			delete(before[0], "throttles")
			delete(before[1], "throttles")
			testkit.SameBeforeAnswer(t, answers, before)
			if b := before[0]; b["hashes"] != 1 || b["audit_events"] != 1 || b["outbox"] != 0 || b["sessions"] != 0 || b["auth_tokens"] != 0 {
				t.Fatalf("trial %d did: %v", i, b)
			}
		}
		var failures int
		if err := s.Stores.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT failures FROM users WHERE id = $1`, known.ID).Scan(&failures); err != nil || failures == 0 {
			t.Fatalf("the account's failures: %d %v", failures, err)
		}
	})
}
