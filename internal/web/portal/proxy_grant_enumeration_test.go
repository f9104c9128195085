package portal_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestProxyGrantDoesNotTellWhoHasAnAccount: a signed-in patient who grants
// access to an address gets the same answer after the same work whether or
// not the address has a patient account; the invitation and the grant are
// made after the answer; and the list on the page afterwards shows the two
// invitations alike (same words, same columns), only the address differs.
func TestProxyGrantDoesNotTellWhoHasAnAccount(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		patient := s.NewPerson(t, access.RolePatient)
		carer := s.NewPerson(t, access.RolePatient)
		c := s.ClientAs(t, patient)
		form := func(email string) url.Values { return url.Values{"email": {email}, "scopes": {"orders"}} }
		w0 := testkit.MeasureWork(t, s)
		answers, before := s.Trial(t, c, "/account/proxies", form(carer.Email), form("nobody@example.com"))
		testkit.SameBeforeAnswer(t, answers, before)
		if d := testkit.MeasureWork(t, s).Minus(w0); d["proxy_grants"] != 1 || d["proxy_invites"] != 2 {
			t.Fatalf("after the answers: %v", d)
		}
		// The list after the answers: one row each, the same but for the
		// address (and the invitation's id on its withdraw button).
		_, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/account/proxies", nil))
		rows := regexp.MustCompile(`(?s)<tr>\s*<td>.*?</tr>`).FindAllString(body, -1)
		if len(rows) != 2 {
			t.Fatalf("want 2 rows, got %d:\n%s", len(rows), body)
		}
		norm := func(row, email string) string {
			row = strings.ReplaceAll(row, email, "EMAIL")
			return regexp.MustCompile(`name="grant" value="[0-9a-f-]+"`).ReplaceAllString(row, `name="grant" value="ID"`)
		}
		// The rows come in the order the work after the answers stored them.
		if strings.Contains(rows[0], "nobody@example.com") {
			rows[0], rows[1] = rows[1], rows[0]
		}
		known, unknown := norm(rows[0], carer.Email), norm(rows[1], "nobody@example.com")
		if known != unknown || !strings.Contains(known, "EMAIL") || !strings.Contains(known, "Invited") {
			t.Fatalf("the list tells the addresses apart:\nknown   %s\nunknown %s", known, unknown)
		}
	})
}
