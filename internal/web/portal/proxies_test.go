package portal_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

func TestPatientGrantsAndWithdrawsProxyAccess(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
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
		if r.StatusCode != 200 || !strings.Contains(body, carer.Email) || !strings.Contains(body, "We have invited that address") || m == nil {
			t.Fatalf("grant: %d\n%s", r.StatusCode, body)
		}
		// The grant reads in words, in the list and on the form, not as codes.
		if !strings.Contains(body, "Orders, Prescriptions") || !strings.Contains(body, `for="scope-clinical">Clinical records</label>`) ||
			strings.Contains(body, ">rx<") || strings.Contains(body, ">clinical<") {
			t.Fatalf("the scopes read as codes:\n%s", body)
		}
		// The person granted is told by email: someone shared access, sign in
		// to see; neither who nor what.
		sys := access.WithActor(context.Background(), access.System("test", s.Tenant.ID))
		items, err := s.Services().Outbox.Recent(sys, s.Tenant.ID, 20)
		if err != nil {
			t.Fatal(err)
		}
		var notice *outbox.Item
		for i := range items {
			if items[i].To.Reveal() == carer.Email && strings.HasPrefix(items[i].Subject, "Someone has shared access with you") {
				notice = &items[i]
			}
		}
		if notice == nil {
			t.Fatal("the person granted was not told")
		}
		if text := notice.Subject + notice.Text.Reveal(); !regexp.MustCompile(`https?://[^/\s]+/account\n`).MatchString(text) || strings.Contains(text, patient.Email) ||
			strings.Contains(strings.ToLower(text), "prescription") || strings.Contains(text, "Orders") {
			t.Fatalf("the notice says too much, or no link: %s", text)
		}
		// ... and sees it on their account page, whose record and what.
		cc := s.ClientAs(t, carer)
		if _, body := testkit.Do(t, cc, s.NewRequest(t, "GET", "/account/profile", nil)); !strings.Contains(body, "People you can help") ||
			!strings.Contains(body, patient.Email) || !strings.Contains(body, "Orders, Prescriptions") {
			t.Fatalf("the grantee's account page shows no sign of the grant:\n%s", body)
		}
		// The patient who granted sees no such list (they act for nobody).
		if _, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/account/profile", nil)); strings.Contains(body, "People you can help") {
			t.Fatal("the grantor's page lists people they can help")
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
		// Withdrawn: the list on the grantee's page is gone.
		if _, body := testkit.Do(t, cc, s.NewRequest(t, "GET", "/account/profile", nil)); strings.Contains(body, "People you can help") {
			t.Fatal("a withdrawn grant still shows to the grantee")
		}
	})
}
