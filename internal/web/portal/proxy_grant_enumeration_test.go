package portal_test

import (
	"net/url"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

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
		w0 := testkit.MeasureWork(t, s)
		answers, before := s.Trial(t, c, "/account/proxies", form(carer.Email), form("nobody@example.com"))
		testkit.SameBeforeAnswer(t, answers, before)
		if d := testkit.MeasureWork(t, s).Minus(w0); d["proxy_grants"] != 1 {
			t.Fatalf("after the answers: %v", d)
		}
	})
}
