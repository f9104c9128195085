package testkit

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The enumeration tests check what the forms that take an email address do
// for an address with an account and for one without, as properties of the
// work, never as timings (those are measured in bench/enumeration): the same
// answer bytes, the same number of password hashes, and the same writes and
// queued work before the answer.

// Work is what a request did that an attacker's stopwatch could feel:
// rows written in each table that a path writes, and Argon2 derivations.
type Work map[string]int64

// MeasureWork counts the rows of the tables an address-taking form writes,
// and the hasher's derivations.
func MeasureWork(t testing.TB, s *Server) Work {
	t.Helper()
	w := Work{"hashes": s.Services().Hasher.Derivations()}
	for _, tbl := range []string{"users", "auth_tokens", "outbox", "throttles", "proxy_grants", "proxy_invites", "sessions"} {
		var n int64
		if err := s.Stores.PHI.Reader().QueryRowContext(AllTenants(context.Background()), `SELECT COUNT(*) FROM `+tbl).Scan(&n); err != nil {
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

// Minus returns what changed from before to w.
func (w Work) Minus(before Work) Work {
	d := Work{}
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

// Trial posts form to path for a known and an unknown address, with the
// work handed off after the answer held back, and returns each answer and
// what each did before answering; the held work is then done.
func (s *Server) Trial(t testing.TB, c *http.Client, path string, known, unknown url.Values) (answers [2]string, before [2]Work) {
	t.Helper()
	release := s.Services().After.Hold()
	for i, form := range []url.Values{known, unknown} {
		if !strings.HasPrefix(path, "/account/") {
			// Far apart in (fake) time, so that throttling never answers
			// instead (not for a signed-in form: the session would end).
			s.Clock.Advance(25 * time.Hour)
		}
		w0 := MeasureWork(t, s)
		r, body := Do(t, c, s.NewRequest(t, "POST", path, form)) //nolint:bodyclose // Do reads the body and closes it
		answers[i], before[i] = answer(r, body, form.Get("email")), MeasureWork(t, s).Minus(w0)
	}
	release()
	s.Services().After.Wait()
	return answers, before
}

// SameBeforeAnswer fails t when the two answers of a Trial, or the work done
// before them, differ.
func SameBeforeAnswer(t testing.TB, answers [2]string, before [2]Work) {
	t.Helper()
	if answers[0] != answers[1] {
		t.Fatalf("known and unknown addresses got different answers:\n%s\n---\n%s", answers[0], answers[1])
	}
	if fmt.Sprint(before[0]) != fmt.Sprint(before[1]) {
		t.Fatalf("known and unknown addresses did different work before answering:\nknown   %v\nunknown %v", before[0], before[1])
	}
}
