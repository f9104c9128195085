package admin_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestOutboxShowsNoPHIUntilOpenedWithAReason: the admin's outbox page shows
// counts, status and masked recipients, never an address, a subject or an
// order reference; one message opens only with a reason from the list, the
// opening audited at high severity with the reason; another tenant's message
// is the plain 404.
func TestOutboxShowsNoPHIUntilOpenedWithAReason(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		patient := s.NewPerson(t, access.RolePatient)
		admin := s.NewPerson(t, access.RoleAdmin)
		const ref = "Q7RX-K2M9"
		queue := func(ten *tenant.Tenant, subject, to string) {
			t.Helper()
			msg, err := notify.Compose(notify.OrderStatus, to, notify.Params{Brand: ten.Name, Link: s.URL + "/account/orders", Reference: ref, Status: "paid"})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Services().Outbox.Enqueue(access.WithActor(ctx, access.System("test", ten.ID)), ten.ID, subject, notify.OrderStatus, msg); err != nil {
				t.Fatal(err)
			}
		}
		queue(s.Tenant, patient.ID, patient.Email)
		other := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Pharmacy", Hostnames: []string{"other.test"},
			Theme: tenant.DefaultTheme, CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
		if err := store.NewTenants(s.Stores.Catalog).Create(ctx, other); err != nil {
			t.Fatal(err)
		}
		otherPatient := s.NewPersonIn(t, other, access.RolePatient)
		queue(other, otherPatient.ID, otherPatient.Email)

		c := s.ClientAs(t, admin)
		r, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/admin/outbox", nil))
		if r.StatusCode != 200 {
			t.Fatalf("outbox: %d", r.StatusCode)
		}
		local, domain, _ := strings.Cut(patient.Email, "@")
		for _, phi := range []string{patient.Email, local, domain, ref, "Order " + ref, "/account/orders"} {
			if strings.Contains(body, phi) {
				t.Errorf("the outbox page shows %q", phi)
			}
		}
		if !strings.Contains(body, "Waiting: <strong>") || !strings.Contains(body, local[:1]+"***@"+domain[:1]+"***") {
			t.Fatalf("the outbox page lacks the counts or the masked recipient:\n%s", body)
		}
		m := regexp.MustCompile(`/admin/outbox/([^/"]+)/open`).FindAllStringSubmatch(body, -1)
		if len(m) != 1 {
			t.Fatalf("want one message of this tenant, got %d", len(m))
		}
		msgID := m[0][1]
		opened := func() int {
			t.Helper()
			recs, err := s.Stores.AuditLog.Find(ctx, audit.Query{TenantID: s.Tenant.ID, Subject: patient.ID})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, rec := range recs {
				if rec.Action == "email.open" {
					n++
					if rec.Severity != audit.High || rec.Detail != "reason=delivery_problem" || rec.ActorID != admin.ID || rec.ResourceID != msgID {
						t.Errorf("the opening's event: %+v", rec.Entry)
					}
				}
			}
			return n
		}
		// No reason, or one not on the list: nothing opens, nothing is shown.
		for _, reason := range []string{"", "curious"} {
			r, body = testkit.Do(t, c, s.NewRequest(t, "POST", "/admin/outbox/"+msgID+"/open", url.Values{"reason": {reason}}))
			if r.StatusCode != 422 || strings.Contains(body, patient.Email) || strings.Contains(body, ref) {
				t.Fatalf("open with reason %q: %d", reason, r.StatusCode)
			}
		}
		if n := opened(); n != 0 {
			t.Fatalf("%d openings recorded without a reason", n)
		}
		// With a reason: that one message, audited.
		r, body = testkit.Do(t, c, s.NewRequest(t, "POST", "/admin/outbox/"+msgID+"/open", url.Values{"reason": {"delivery_problem"}}))
		if r.StatusCode != 200 || !strings.Contains(body, patient.Email) || !strings.Contains(body, ref) {
			t.Fatalf("open with a reason: %d\n%s", r.StatusCode, body)
		}
		if n := opened(); n != 1 {
			t.Fatalf("%d openings recorded, want 1", n)
		}
		// Another tenant's message, or none: the plain 404, nothing shown.
		otherMsg, err := store.NewOutbox(s.Stores.PHI).Recent(ctx, other.ID, 1)
		if err != nil || len(otherMsg) != 1 {
			t.Fatalf("other tenant's message: %v", err)
		}
		for _, target := range []string{otherMsg[0].ID, id.New()} {
			r, body = testkit.Do(t, c, s.NewRequest(t, "POST", "/admin/outbox/"+target+"/open", url.Values{"reason": {"delivery_problem"}}))
			if r.StatusCode != 404 || strings.Contains(body, otherPatient.Email) {
				t.Fatalf("open %s: %d", target, r.StatusCode)
			}
		}
	})
}
