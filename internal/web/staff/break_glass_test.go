package staff_test

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestBreakGlassAndItsReview is one journey across two surfaces: a
// clinician's emergency access here in web/staff, then compliance's review of
// it in web/admin.
func TestBreakGlassAndItsReview(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	patient := s.NewPerson(t, access.RolePatient)
	doc := s.NewPerson(t, access.RoleClinician)
	compliance := s.NewPerson(t, access.RoleCompliance)
	c := s.ClientAs(t, doc)
	reason := "Collapsed in the pharmacy, need allergy history"
	r, body := testkit.Do(t, c, s.NewRequest(t, "POST", "/staff/break-glass", url.Values{"email": {patient.Email}, "reason": {"short"}}))
	if r.StatusCode != 422 || !strings.Contains(body, "20 characters") {
		t.Fatalf("short reason: %d", r.StatusCode)
	}
	r, _ = testkit.Do(t, c, s.NewRequest(t, "POST", "/staff/break-glass", url.Values{"email": {"nobody@example.com"}, "reason": {reason}}))
	if r.StatusCode != 422 {
		t.Fatalf("unknown patient: %d", r.StatusCode)
	}
	r, body = testkit.Do(t, c, s.NewRequest(t, "POST", "/staff/break-glass", url.Values{"email": {patient.Email}, "reason": {reason}}))
	if r.StatusCode != 200 || !strings.Contains(body, "Emergency access granted") {
		t.Fatalf("break glass: %d\n%s", r.StatusCode, body)
	}
	// Ten minutes on, the second factor is no longer fresh.
	s.Clock.Advance(10 * time.Minute)
	r, body = testkit.Do(t, c, s.NewRequest(t, "POST", "/staff/break-glass", url.Values{"email": {patient.Email}, "reason": {reason}}))
	if r.StatusCode != 401 || !strings.Contains(body, "/account/reauth") {
		t.Fatalf("stale MFA: %d", r.StatusCode)
	}
	// The review queue shows the reason to compliance, who records a finding.
	cc := s.ClientAs(t, compliance)
	r, body = testkit.Do(t, cc, s.NewRequest(t, "GET", "/admin/break-glass", nil))
	m := regexp.MustCompile(`/admin/break-glass/([0-9a-f-]+)/review`).FindStringSubmatch(body)
	if r.StatusCode != 200 || !strings.Contains(body, "allergy history") || m == nil {
		t.Fatalf("review queue: %d\n%s", r.StatusCode, body)
	}
	// Names, not ids: compliance sees who broke the glass and whose record
	// it was (testkit names every person "Test Person"), never the raw ids.
	if strings.Count(body, "Test Person") < 2 || strings.Contains(body, doc.ID) || strings.Contains(body, patient.ID) {
		t.Fatalf("review queue shows ids, not names:\n%s", body)
	}
	// An admin sees the staff member's name but not the patient's (no PHI
	// by default).
	_, abody := testkit.Do(t, s.ClientAs(t, s.NewPerson(t, access.RoleAdmin)), s.NewRequest(t, "GET", "/admin/break-glass", nil))
	if !strings.Contains(abody, "name withheld from your role") || strings.Contains(abody, patient.ID) || !strings.Contains(abody, "Test Person") {
		t.Fatalf("admin's review queue:\n%s", abody)
	}
	r, body = testkit.Do(t, cc, s.NewRequest(t, "POST", "/admin/break-glass/"+m[1]+"/review", url.Values{"outcome": {"justified"}}))
	if r.StatusCode != 200 || !strings.Contains(body, "review was recorded") || strings.Contains(body, "/review\"") {
		t.Fatalf("review: %d", r.StatusCode)
	}
	// The reason is PHI: never in the log.
	if strings.Contains(s.Log.String(), "allergy") {
		t.Fatal("the break-glass reason reached the log")
	}
}

// TestBreakGlassOpensThePatientsOrders: a grant leads to what it unlocks,
// the patient's orders, read-only, for the grant's duration; without a live
// grant of one's own (none, another clinician's, expired, another tenant's)
// the page is the plain 404. Each opening is audited against the grant.
func TestBreakGlassOpensThePatientsOrders(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		v := product(t, s, s.Tenant.ID, "Epinephrine Auto-Injector", true)
		patient := s.NewPerson(t, access.RolePatient)
		other := s.NewPerson(t, access.RolePatient)
		_, ref := row(t, s, buy(t, s, s.ClientAs(t, patient), v.ID, "test"))
		_, otherRef := row(t, s, buy(t, s, s.ClientAs(t, other), v.ID, "test"))
		doc := s.NewPerson(t, access.RoleClinician)
		c := s.ClientAs(t, doc)

		// Before any grant, the clinician cannot reach the orders: a made-up
		// grant id is the plain 404.
		_, plain := testkit.Do(t, c, s.NewRequest(t, "GET", "/no/such/page", nil))
		if r, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/staff/break-glass/"+id.New()+"/orders", nil)); r.StatusCode != 404 || strip(body) != strip(plain) {
			t.Fatalf("no grant: %d", r.StatusCode)
		}
		r, body := testkit.Do(t, c, s.NewRequest(t, "POST", "/staff/break-glass", url.Values{"email": {patient.Email},
			"reason": {"Anaphylaxis in the waiting room, need what was dispensed"}}))
		m := regexp.MustCompile(`href="(/staff/break-glass/([0-9a-f-]{36})/orders)"`).FindStringSubmatch(body)
		if r.StatusCode != 200 || m == nil {
			t.Fatalf("the grant does not lead to the orders: %d\n%s", r.StatusCode, body)
		}
		link, grantID := m[1], m[2]
		r, body = testkit.Do(t, c, s.NewRequest(t, "GET", link, nil))
		if r.StatusCode != 200 || !strings.Contains(body, ref) || !strings.Contains(body, "Epinephrine Auto-Injector") {
			t.Fatalf("orders under the grant: %d\n%s", r.StatusCode, body)
		}
		// Only that patient's orders; read-only; no address.
		if strings.Contains(body, otherRef) || strings.Contains(body, "Quince Lane") || strings.Contains(body, "/reorder") || strings.Contains(body, "/staff/orders/") {
			t.Fatalf("the page shows more than the patient's orders:\n%s", body)
		}
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("cache: %q", r.Header.Get("Cache-Control"))
		}
		// Audited: the grant's use (tied to the grant, whose reason the
		// review shows) and the opening of the orders with its purpose.
		var uses, reads int
		if err := audit.Each(context.Background(), store.NewAuditEvents(s.Stores.Audit), time.Time{}, time.Time{}, func(r audit.Record) error {
			switch {
			case r.Action == "break_glass.use" && r.ResourceID == grantID && r.ActorID == doc.ID && r.Outcome == audit.Allowed &&
				r.Purpose == access.PurposeBreakGlass && slices.Contains(r.Subjects, patient.ID):
				uses++
			case r.Action == "order.list" && r.ActorID == doc.ID && r.Purpose == access.PurposeBreakGlass:
				reads++
			}
			return nil
		}); err != nil || uses != 1 || reads != 1 {
			t.Fatalf("audit: %d break_glass.use, %d order.list under break-glass: %v", uses, reads, err)
		}

		// Another clinician cannot use this grant.
		doc2 := s.ClientAs(t, s.NewPerson(t, access.RoleClinician))
		_, plain2 := testkit.Do(t, doc2, s.NewRequest(t, "GET", "/no/such/page", nil))
		if r, body := testkit.Do(t, doc2, s.NewRequest(t, "GET", link, nil)); r.StatusCode != 404 || strip(body) != strip(plain2) {
			t.Fatalf("another clinician: %d", r.StatusCode)
		}
		// Staff of another tenant, on their own host, with the same id.
		ot := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Pharmacy", Hostnames: []string{"other.test"},
			Theme: tenant.DefaultTheme, CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
		if err := store.NewTenants(s.Stores.Catalog).Create(context.Background(), ot); err != nil {
			t.Fatal(err)
		}
		foreign := s.NewPersonIn(t, ot, access.RoleClinician)
		fc := s.ClientAs(t, foreign)
		req := s.NewRequest(t, "GET", link, nil)
		req.Host = "other.test"
		if r, body := testkit.Do(t, fc, req); (r.StatusCode != 404 && r.StatusCode != 303) || strings.Contains(body, ref) {
			t.Fatalf("another tenant's clinician: %d", r.StatusCode)
		}
		// The grant, asked for in the other tenant by its own clinician
		// (the service, below the pages): the same denial.
		fctx := access.WithActor(context.Background(), access.Actor{ID: foreign.ID, Role: access.RoleClinician, TenantID: ot.ID})
		if _, err := s.Services().Grants.BreakGlassPatient(fctx, ot.ID, grantID, "orders.read"); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("another tenant's clinician, by the service: %v", err)
		}
		// The page stays open for the grant's hour (the clinician at work
		// all along, so the session stays alive), and is gone after it.
		for i := range 5 {
			s.Clock.Advance(11 * time.Minute)
			if r, _ := testkit.Do(t, c, s.NewRequest(t, "GET", link, nil)); r.StatusCode != 200 {
				t.Fatalf("during the grant, %d minutes on: %d", 11*(i+1), r.StatusCode)
			}
		}
		s.Clock.Advance(5 * time.Minute)
		if r, body := testkit.Do(t, c, s.NewRequest(t, "GET", link, nil)); r.StatusCode != 404 || strip(body) != strip(plain) {
			t.Fatalf("after expiry: %d", r.StatusCode)
		}
	})
}
