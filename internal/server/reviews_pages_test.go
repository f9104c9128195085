package server_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/reviews"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestReviewsAndActivityPages: the compliance officer records a review on
// the calendar page (bad input keeps what was typed and records nothing),
// opens its evidence (another tenant's, or a made-up id, is the plain
// 404); the activity review lists a burst of denials with a link to
// exactly those audit events, and that list shows them.
func TestReviewsAndActivityPages(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		officer := s.NewPerson(t, access.RoleCompliance)
		comp := s.ClientAs(t, officer)
		pharmacist := s.NewPerson(t, access.RolePharmacist)

		if r, body := get(t, comp, s.NewRequest(t, "GET", "/admin/compliance/reviews", nil)); r.StatusCode != 200 ||
			!strings.Contains(body, "Yearly risk assessment") || !strings.Contains(body, "never done") {
			t.Fatalf("calendar: %d", r.StatusCode)
		}
		// No evidence: refused, the choice kept, nothing recorded.
		if r, body := get(t, comp, s.NewRequest(t, "POST", "/admin/compliance/reviews", url.Values{"kind": {string(reviews.RiskAssessment)}, "evidence": {"  "}})); r.StatusCode != 422 ||
			!strings.Contains(body, "Say what was done") {
			t.Fatalf("no evidence: %d", r.StatusCode)
		}
		if r, _ := get(t, comp, s.NewRequest(t, "POST", "/admin/compliance/reviews", url.Values{"kind": {string(reviews.RiskAssessment)},
			"evidence": {"Risk assessment 2026 signed by the board; <b>kept</b> in the compliance drive"}})); r.StatusCode != 303 {
			t.Fatalf("record: %d", r.StatusCode)
		}
		if r, _ := get(t, comp, s.NewRequest(t, "POST", "/admin/compliance/reviews", url.Values{"kind": {string(reviews.Recertification)},
			"target": {pharmacist.ID}, "evidence": {"checked against HR"}})); r.StatusCode != 303 {
			t.Fatalf("recertify: %d", r.StatusCode)
		}
		oc := access.WithActor(ctx, access.Actor{ID: officer.ID, Role: access.RoleCompliance, TenantID: s.Tenant.ID})
		done, err := s.Services().Reviews.Completions(oc, s.Tenant.ID, 10)
		if err != nil || len(done) != 2 {
			t.Fatalf("completions: %d, %v", len(done), err)
		}
		var risk string
		for _, c := range done {
			if c.Kind == reviews.RiskAssessment {
				risk = c.ID
			}
		}
		r, body := get(t, comp, s.NewRequest(t, "GET", "/admin/compliance/reviews/"+risk+"/evidence", nil))
		if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") || !strings.Contains(body, "<b>kept</b>") {
			t.Fatalf("evidence: %d %q", r.StatusCode, body)
		}
		// The compliance report names what is overdue (not the risk
		// assessment, just recorded).
		if r, body := get(t, comp, s.NewRequest(t, "GET", "/admin/compliance", nil)); r.StatusCode != 200 ||
			!strings.Contains(body, "Backup restore drill (1)") || strings.Contains(body, "Yearly risk assessment (1)") {
			t.Errorf("compliance report: %d, overdue reviews not named", r.StatusCode)
		}
		_, notFound := get(t, comp, s.NewRequest(t, "GET", "/no/such/page", nil))
		other := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Pharmacy", Hostnames: []string{"other.test"},
			Theme: tenant.DefaultTheme, CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
		if err := store.NewTenants(s.Stores.Catalog).Create(ctx, other); err != nil {
			t.Fatal(err)
		}
		otherComp := access.WithActor(ctx, access.Actor{ID: id.New(), Role: access.RoleCompliance, TenantID: other.ID})
		theirs, err := s.Services().Reviews.Complete(otherComp, other.ID, reviews.RestoreDrill, "", "theirs")
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range []string{theirs.ID, id.New(), "not-an-id"} {
			if r, body := get(t, comp, s.NewRequest(t, "GET", "/admin/compliance/reviews/"+target+"/evidence", nil)); r.StatusCode != 404 || strip(body) != strip(notFound) {
				t.Errorf("evidence %s: %d (want the plain 404)", target, r.StatusCode)
			}
		}

		// Six denied attempts by the pharmacist (as grants.Authorize records
		// a denial): a finding, linked to them.
		for range 6 {
			if err := s.Stores.AuditLog.Append(ctx, audit.Entry{ActorID: pharmacist.ID, ActorRole: access.RolePharmacist, TenantID: s.Tenant.ID,
				Subjects: []string{id.New()}, Action: "rx.view", ResourceType: "prescription", Outcome: audit.Denied, Purpose: access.PurposeTreatment}); err != nil {
				t.Fatal(err)
			}
		}
		r, body = get(t, comp, s.NewRequest(t, "GET", "/admin/compliance/activity", nil))
		if r.StatusCode != 200 || !strings.Contains(body, "Repeated denials") {
			t.Fatalf("activity review: %d, no denials finding", r.StatusCode)
		}
		i := strings.Index(body, `href="/admin/compliance/audit?`)
		if i < 0 {
			t.Fatal("no link to the audit events")
		}
		link := strings.ReplaceAll(body[i+6:i+6+strings.Index(body[i+6:], `"`)], "&amp;", "&")
		if !strings.Contains(link, "actor="+pharmacist.ID) {
			t.Fatalf("link: %s", link)
		}
		r, body = get(t, comp, s.NewRequest(t, "GET", link, nil))
		if r.StatusCode != 200 || strings.Count(body, pharmacist.ID) < 6 || !strings.Contains(body, "denied") {
			t.Fatalf("audit events: %d", r.StatusCode)
		}
		// An admin is refused the activity review (the plain 404).
		admin := s.ClientAs(t, s.NewPerson(t, access.RoleAdmin))
		_, notFound = get(t, admin, s.NewRequest(t, "GET", "/no/such/page", nil))
		if r, body := get(t, admin, s.NewRequest(t, "GET", "/admin/compliance/activity", nil)); r.StatusCode != 404 || strip(body) != strip(notFound) {
			t.Errorf("admin: %d", r.StatusCode)
		}
	})
}
