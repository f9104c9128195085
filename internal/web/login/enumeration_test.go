package login_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// The enumeration tests check what the forms that take an email address do
// for an address with an account and for one without, as properties of
// the work, never as timings (those are measured in bench/enumeration): the
// same answer bytes, the same number of password hashes, and the same
// writes and queued work before the answer.

// work is what a request did that an attacker's stopwatch could feel:
// rows written in each table that a path writes, and Argon2 derivations.
type work map[string]int64

// measure counts the rows of the tables an address-taking form writes, and
// the hasher's derivations.
func measure(t *testing.T, s *testkit.Server) work {
	t.Helper()
	w := work{"hashes": s.Services().Hasher.Derivations()}
	for _, tbl := range []string{"users", "auth_tokens", "outbox", "throttles", "proxy_grants", "sessions"} {
		var n int64
		if err := s.Stores.PHI.Reader().QueryRow(`SELECT COUNT(*) FROM ` + tbl).Scan(&n); err != nil {
			t.Fatal(err)
		}
		w[tbl] = n
	}
	var n int64
	if err := s.Stores.Audit.Reader().QueryRow(`SELECT COUNT(*) FROM audit_events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	w["audit_events"] = n
	return w
}

// minus returns what changed from before to w.
func (w work) minus(before work) work {
	d := work{}
	for k, v := range w {
		d[k] = v - before[k]
	}
	return d
}

// answer is a response as an attacker compares them: status, where it
// sends the browser and the body without its request id and without the
// address typed (a form shown again keeps what was typed).
func answer(r *http.Response, body, email string) string {
	body = regexp.MustCompile(`<code>[0-9a-f]+</code>`).ReplaceAllString(body, "")
	body = strings.ReplaceAll(body, email, "EMAIL")
	return fmt.Sprintf("%d %s\n%s", r.StatusCode, r.Header.Get("Location"), body)
}

// trial posts form to path for a known and an unknown address, with the
// work handed off after the answer held back, and returns each answer and
// what each did before answering; the held work is then done.
func trial(t *testing.T, s *testkit.Server, c *http.Client, path string, known, unknown url.Values) (answers [2]string, before [2]work) {
	t.Helper()
	release := s.Services().After.Hold()
	for i, form := range []url.Values{known, unknown} {
		if !strings.HasPrefix(path, "/account/") {
			// Far apart in (fake) time, so that throttling never answers
			// instead (not for a signed-in form: the session would end).
			s.Clock.Advance(25 * time.Hour)
		}
		w0 := measure(t, s)
		r, body := testkit.Do(t, c, s.NewRequest(t, "POST", path, form))
		answers[i], before[i] = answer(r, body, form.Get("email")), measure(t, s).minus(w0)
	}
	release()
	s.Services().After.Wait()
	return answers, before
}

func sameBeforeAnswer(t *testing.T, answers [2]string, before [2]work) {
	t.Helper()
	if answers[0] != answers[1] {
		t.Fatalf("known and unknown addresses got different answers:\n%s\n---\n%s", answers[0], answers[1])
	}
	if fmt.Sprint(before[0]) != fmt.Sprint(before[1]) {
		t.Fatalf("known and unknown addresses did different work before answering:\nknown   %v\nunknown %v", before[0], before[1])
	}
}

// TestForgotDoesNotTellWhoHasAnAccount: POST /forgot answers the same bytes
// after the same work for an address with an account and one without; the
// reset email goes out after the answer, to the account only.
func TestForgotDoesNotTellWhoHasAnAccount(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		known := s.NewPerson(t, access.RolePatient)
		c := s.Client()
		w0 := measure(t, s)
		answers, before := trial(t, s, c, "/forgot", url.Values{"email": {known.Email}}, url.Values{"email": {"nobody@example.com"}})
		sameBeforeAnswer(t, answers, before)
		if !strings.Contains(answers[0], "If that address has an account") {
			t.Fatalf("answer: %s", answers[0])
		}
		// Afterwards: one reset email, to the account; nothing for nobody.
		if d := measure(t, s).minus(w0); d["outbox"] != 1 || d["auth_tokens"] != 1 {
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
		answers, before := trial(t, s, c, "/register", form(known.Email), form("new-patient@example.com"))
		sameBeforeAnswer(t, answers, before)
		if s.LastLink(t, "new-patient@example.com") == "" {
			t.Fatal("no verification link for the new account")
		}
	})
}

// TestProxyGrantDoesNotTellWhoHasAnAccount: a signed-in patient who grants
// access to an address gets the same answer after the same work whether or
// not the address has a patient account; the grant is made after the answer.
func TestProxyGrantDoesNotTellWhoHasAnAccount(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		patient := s.NewPerson(t, access.RolePatient)
		carer := s.NewPerson(t, access.RolePatient)
		c := s.ClientAs(t, patient)
		form := func(email string) url.Values { return url.Values{"email": {email}, "scopes": {"orders"}} }
		w0 := measure(t, s)
		answers, before := trial(t, s, c, "/account/proxies", form(carer.Email), form("nobody@example.com"))
		sameBeforeAnswer(t, answers, before)
		if d := measure(t, s).minus(w0); d["proxy_grants"] != 1 {
			t.Fatalf("after the answers: %v", d)
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
		trial(t, s, c, "/login", url.Values{"email": {"warm-up@example.com"}, "password": {"x"}}, url.Values{"email": {"warm-up@example.com"}, "password": {"x"}})
		var first string
		for i := range 3 {
			answers, before := trial(t, s, c, "/login",
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
			sameBeforeAnswer(t, answers, before)
			if b := before[0]; b["hashes"] != 1 || b["audit_events"] != 1 || b["outbox"] != 0 || b["sessions"] != 0 || b["auth_tokens"] != 0 {
				t.Fatalf("trial %d did: %v", i, b)
			}
		}
		var failures int
		if err := s.Stores.PHI.Reader().QueryRow(`SELECT failures FROM users WHERE id = $1`, known.ID).Scan(&failures); err != nil || failures == 0 {
			t.Fatalf("the account's failures: %d %v", failures, err)
		}
	})
}
