package grants_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

func TestCareProxyAndBreakGlass(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := testkit.NewIdentity(t, e)
		ctx := context.Background()
		admin, _ := en.EnrolledStaff(t, access.RoleAdmin, "admin@example.com")
		doc, docSecret := en.EnrolledStaff(t, access.RoleClinician, "doc@example.com")
		en.RegisterPatient(t, "pat@example.com")
		en.RegisterPatient(t, "carer@example.com")
		_, pat, _ := en.Login("pat@example.com", testkit.PatientPassword)
		_, carer, _ := en.Login("carer@example.com", testkit.PatientPassword)
		as := func(s signin.Session) context.Context { return access.WithActor(ctx, s.Actor()) }
		docCtx := access.WithActor(ctx, access.Actor{ID: doc, Role: access.RoleClinician, TenantID: en.Tenant.ID})

		// No care relationship: denied, audited, 404-shaped.
		if _, err := en.Grants.Authorize(docCtx, en.Tenant.ID, pat.UserID, access.DataClinical, access.Read); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("clinician without care: %v", err)
		}
		if err := en.Grants.AddCare(en.AdminCtx(admin), en.Tenant.ID, doc, pat.UserID); err != nil {
			t.Fatal(err)
		}
		if d, err := en.Grants.Authorize(docCtx, en.Tenant.ID, pat.UserID, access.DataClinical, access.Read); err != nil || d.Purpose != access.PurposeTreatment {
			t.Fatalf("clinician with care: %v %+v", err, d)
		}

		// Proxy: the carer sees only what was granted, until revoked.
		if _, err := en.Grants.Authorize(as(carer), en.Tenant.ID, pat.UserID, access.DataOrders, access.Read); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("carer before a grant: %v", err)
		}
		if err := en.Grants.GrantProxy(as(pat), "carer@example.com", []string{"orders", "rx"}); err != nil {
			t.Fatal(err)
		}
		en.After.Wait() // the grant is made after the answer
		if _, err := en.Grants.Authorize(as(carer), en.Tenant.ID, pat.UserID, access.DataOrders, access.Read); err != nil {
			t.Fatalf("carer with a grant: %v", err)
		}
		if _, err := en.Grants.Authorize(as(carer), en.Tenant.ID, pat.UserID, access.DataClinical, access.Read); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("carer outside the grant: %v", err)
		}
		proxies, err := en.Grants.Proxies(as(pat))
		if err != nil || len(proxies) != 1 || proxies[0].Email.Reveal() != "carer@example.com" {
			t.Fatalf("proxies: %v %+v", err, proxies)
		}
		if err := en.Grants.RevokeProxy(as(pat), proxies[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := en.Grants.Authorize(as(carer), en.Tenant.ID, pat.UserID, access.DataOrders, access.Read); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("carer after revoke: %v", err)
		}

		// Break-glass: a second clinician, no care; reason and fresh MFA needed.
		other, otherSecret := en.EnrolledStaff(t, access.RoleClinician, "er@example.com")
		_ = docSecret
		_, sess, err := en.Login("er@example.com", testkit.StaffPassword)
		if err != nil {
			t.Fatal(err)
		}
		en.Clock.Advance(30 * time.Second)
		code, _ := auth.TOTPCode(otherSecret, en.Clock.Now())
		_, sess, err = en.SignIn.VerifySecondFactor(ctx, sess, code)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := en.Grants.BreakGlass(ctx, en.Tenant, sess, pat.UserID, "too short"); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("short reason: %v", err)
		}
		en.Clock.Advance(6 * time.Minute)
		if _, err := en.Grants.BreakGlass(ctx, en.Tenant, sess, pat.UserID, "Unconscious in the emergency room, allergies needed"); !errors.Is(err, signin.ErrNotFresh) {
			t.Fatalf("stale MFA: %v", err)
		}
		en.Clock.Advance(30 * time.Second)
		code, _ = auth.TOTPCode(otherSecret, en.Clock.Now())
		_, sess, err = en.SignIn.VerifySecondFactor(ctx, sess, code)
		if err != nil {
			t.Fatal(err)
		}
		opened, err := en.Grants.BreakGlass(ctx, en.Tenant, sess, pat.UserID, "Unconscious in the emergency room, allergies needed")
		if until := opened.Until; err != nil || until.Sub(en.Clock.Now()) != access.BreakGlassDuration {
			t.Fatalf("break glass: %v until %v", err, opened.Until)
		}
		erCtx := access.WithActor(ctx, access.Actor{ID: other, Role: access.RoleClinician, TenantID: en.Tenant.ID})
		if d, err := en.Grants.Authorize(erCtx, en.Tenant.ID, pat.UserID, access.DataClinical, access.Read); err != nil || d.Purpose != access.PurposeBreakGlass {
			t.Fatalf("during break glass: %v %+v", err, d)
		}
		en.Clock.Advance(access.BreakGlassDuration)
		if _, err := en.Grants.Authorize(erCtx, en.Tenant.ID, pat.UserID, access.DataClinical, access.Read); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("after expiry: %v", err)
		}
		if !slices.ContainsFunc(en.Events(t, pat.UserID), func(r audit.Record) bool { return r.Action == "break_glass.start" && r.Severity == audit.High }) {
			t.Fatal("no high-severity break-glass event")
		}
		// The compliance queue shows the reason; review records a finding.
		comp := access.WithActor(ctx, access.Actor{ID: "c", Role: access.RoleCompliance, TenantID: en.Tenant.ID})
		q, err := en.Grants.BreakGlassQueue(comp, en.Tenant.ID)
		if err != nil || len(q) != 1 || !strings.Contains(q[0].Reason.Reveal(), "allergies") {
			t.Fatalf("queue: %v %+v", err, q)
		}
		if _, err := en.Grants.BreakGlassQueue(docCtx, en.Tenant.ID); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("a clinician read the review queue: %v", err)
		}
		if err := en.Grants.ReviewBreakGlass(comp, en.Tenant.ID, q[0].ID, grants.ReviewJustified); err != nil {
			t.Fatal(err)
		}
	})
}
