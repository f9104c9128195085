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

func TestPatientGrantsAndWithdrawsProxyAccess(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	patient := s.NewPerson(t, access.RolePatient)
	carer := s.NewPerson(t, access.RolePatient)
	c := s.ClientAs(t, patient)
	r, body := testkit.Do(t, c, s.NewRequest(t, "POST", "/account/proxies", url.Values{"email": {carer.Email}}))
	if r.StatusCode != 422 || !strings.Contains(body, "Choose at least one") {
		t.Fatalf("no scopes: %d", r.StatusCode)
	}
	r, _ = testkit.Do(t, c, s.NewRequest(t, "POST", "/account/proxies", url.Values{"email": {carer.Email}, "scopes": {"orders", "rx"}}))
	if r.StatusCode != 303 || r.Header.Get("Location") != "/account/proxies?asked=1" {
		t.Fatalf("grant: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	s.Services().After.Wait() // the grant is made after the answer
	r, body = testkit.Do(t, c, s.NewRequest(t, "GET", "/account/proxies?asked=1", nil))
	m := regexp.MustCompile(`name="grant" value="([0-9a-f-]+)"`).FindStringSubmatch(body)
	if r.StatusCode != 200 || !strings.Contains(body, carer.Email) || !strings.Contains(body, "If that address belongs") || m == nil {
		t.Fatalf("grant: %d\n%s", r.StatusCode, body)
	}
	// Another patient cannot withdraw it: the grant is not theirs.
	r, _ = testkit.Do(t, s.ClientAs(t, carer), s.NewRequest(t, "POST", "/account/proxies/revoke", url.Values{"grant": {m[1]}}))
	if r.StatusCode != 404 {
		t.Fatalf("someone else's grant: %d", r.StatusCode)
	}
	r, body = testkit.Do(t, c, s.NewRequest(t, "POST", "/account/proxies/revoke", url.Values{"grant": {m[1]}}))
	if r.StatusCode != 200 || strings.Contains(body, carer.Email) {
		t.Fatalf("revoke: %d", r.StatusCode)
	}
}
