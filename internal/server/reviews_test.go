package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/reviews"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/vendors"
)

// reviewEmails counts the tenant's queued review reminders and checks each
// says nothing but the brand and the calendar's address.
func reviewEmails(t *testing.T, s *testkit.Server, ctx context.Context) int {
	t.Helper()
	sys := access.WithActor(ctx, access.System("test", s.Tenant.ID))
	items, err := s.Services().Outbox.Recent(sys, s.Tenant.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, it := range items {
		if it.Kind != string(notify.ReviewDue) {
			continue
		}
		n++
		if text := it.Text.Reveal(); !strings.Contains(text, "/admin/compliance/reviews") || strings.Contains(text, "Hooks Inc") {
			t.Errorf("review reminder: %q", text)
		}
	}
	return n
}

// TestRecertificationJobDisablesAnUnreviewedAccount: a staff account whose
// roles nobody confirmed within 90 days is reminded about, then disabled
// after the grace (its sessions end); one recertified in time stays
// enabled; nobody confirms their own account; the completion's evidence
// is sealed and its read audited; a BAA ending in 45 days is reminded of
// once.
func TestRecertificationJobDisablesAnUnreviewedAccount(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		svc := s.Services().Reviews
		officer := s.NewPerson(t, access.RoleCompliance)
		unreviewed := s.NewPerson(t, access.RolePharmacist)
		reviewed := s.NewPerson(t, access.RoleFulfillment)
		comp := access.WithActor(ctx, access.Actor{ID: officer.ID, Role: access.RoleCompliance, TenantID: s.Tenant.ID})

		s.Clock.Advance(80 * 24 * time.Hour)
		if _, err := svc.Complete(comp, s.Tenant.ID, reviews.Recertification, officer.ID, "my own roles are fine"); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("own recertification: %v", err)
		}
		if _, err := svc.Complete(comp, s.Tenant.ID, reviews.Recertification, reviewed.ID, ""); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("no evidence: %v", err)
		}
		done, err := svc.Complete(comp, s.Tenant.ID, reviews.Recertification, reviewed.ID, "Roles checked against the staff list of HR, ticket 42")
		if err != nil {
			t.Fatal(err)
		}
		pharm := access.WithActor(ctx, access.Actor{ID: unreviewed.ID, Role: access.RolePharmacist, TenantID: s.Tenant.ID})
		if _, err := svc.Complete(pharm, s.Tenant.ID, reviews.RiskAssessment, "", "done"); !apperr.Is(err, apperr.Denied) && !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("a pharmacist recorded a review: %v", err)
		}
		// A vendor whose BAA ends in 45 days.
		end := s.Clock.Now().Add(45 * 24 * time.Hour).Format(vendors.DateLayout)
		if _, err := s.Services().Vendors.Add(comp, s.Tenant.ID, vendors.Input{Name: "Hooks Inc", Service: "events", Contact: "ops@hooks.test",
			SignedOn: "2020-01-01", ExpiresOn: end}); err != nil {
			t.Fatal(err)
		}

		// Day 91: overdue for the pharmacist (and the officer): reminded,
		// not disabled yet.
		s.Clock.Advance(11 * 24 * time.Hour)
		r, err := svc.Run(ctx)
		if err != nil || r.Disabled != 0 || r.Reminded != 1 {
			t.Fatalf("first run: %+v, %v; want one reminder, nobody disabled", r, err)
		}
		if n := reviewEmails(t, s, ctx); n != 1 {
			t.Fatalf("%d review reminders queued, want 1", n)
		}
		if r, err := svc.Run(ctx); err != nil || r.Reminded != 0 {
			t.Fatalf("second run the same day: %+v, %v; want no new reminder", r, err)
		}
		items, err := svc.Calendar(comp, s.Tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		overdue := map[string]bool{}
		for _, it := range items {
			if it.Overdue {
				overdue[string(it.Kind)+"|"+it.Target] = true
			}
		}
		if !overdue["access.recertification|"+unreviewed.ID] || overdue["access.recertification|"+reviewed.ID] || !overdue["risk.assessment|"] {
			t.Fatalf("calendar's overdue: %v", overdue)
		}

		// After the grace: the unreviewed account is disabled.
		s.Clock.Advance(reviews.RecertifyGrace + time.Hour)
		if r, err = svc.Run(ctx); err != nil || r.Disabled < 1 {
			t.Fatalf("after the grace: %+v, %v", r, err)
		}
		users := store.NewUsers(s.Stores.PHI)
		if u, err := users.ByID(ctx, s.Tenant.ID, unreviewed.ID); err != nil || u.Status != "disabled" {
			t.Fatalf("unreviewed account: %q, %v", u.Status, err)
		}
		if u, err := users.ByID(ctx, s.Tenant.ID, reviewed.ID); err != nil || u.Status != "active" {
			t.Fatalf("recertified account: %q, %v", u.Status, err)
		}
		if r, _ := testkit.Do(t, s.ClientAs(t, unreviewed), s.NewRequest(t, "GET", "/staff", nil)); r.StatusCode == 200 {
			t.Fatal("the disabled account's session still works")
		}
		evs, err := s.Stores.AuditLog.Find(ctx, audit.Query{TenantID: s.Tenant.ID, Subject: unreviewed.ID, Limit: 1000})
		if err != nil || !testkit.HasEvent(evs, "user.disable", audit.Allowed) {
			t.Fatalf("the disabling was not audited: %v", err)
		}

		// The evidence opens, audited; another tenant's officer finds nothing.
		if _, text, err := svc.Evidence(comp, s.Tenant.ID, done.ID); err != nil || !strings.Contains(text, "ticket 42") {
			t.Fatalf("evidence: %q, %v", text, err)
		}
		evs, err = s.Stores.AuditLog.Find(ctx, audit.Query{TenantID: s.Tenant.ID, ActorID: officer.ID, Limit: 1000})
		if err != nil || !testkit.HasEvent(evs, "review.evidence", audit.Allowed) || !testkit.HasEvent(evs, "review.complete", audit.Allowed) {
			t.Fatalf("evidence write and read not audited: %v", err)
		}
		other := access.WithActor(ctx, access.Actor{ID: officer.ID, Role: access.RoleCompliance, TenantID: "another-tenant"})
		if _, _, err := svc.Evidence(other, "another-tenant", done.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("other tenant: %v", err)
		}
	})
}
