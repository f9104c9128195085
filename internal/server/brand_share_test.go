package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestSisterBrandReadsOnlyWithConsent: a patient of brand A is a patient of
// A alone. Staff of the sister brand B reach nothing of them (the 404 of
// absence) until the patient shares classes with B in the portal; then a
// member of B's staff with a care relationship (assigned by B's admin,
// which itself needs the consent) reads exactly what was shared and their
// role reads, and writes nothing; staff without care, the unrelated tenant
// C (whom the patient cannot even choose) and an organisation role acting
// in B without care reach nothing. Withdrawing the consent ends it. Every
// step is audited; both engines.
func TestSisterBrandReadsOnlyWithConsent(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		w := newBrandWorld(t, e)
		s := w.s
		gr := s.Services().Grants
		patient := s.NewPerson(t, access.RolePatient)
		clinB := s.NewPersonIn(t, w.b, access.RoleClinician)
		csB := s.NewPersonIn(t, w.b, access.RoleCustomerService)
		adminB := s.NewPersonIn(t, w.b, access.RoleAdmin)
		clinC := s.NewPersonIn(t, w.c, access.RoleClinician)
		adminC := s.NewPersonIn(t, w.c, access.RoleAdmin)
		orgClin := s.NewPerson(t, access.RoleClinician)
		w.grantOrgRole(t, orgClin, access.RoleClinician)
		as := func(p testkit.Person, tenantID string) context.Context {
			return access.WithActor(context.Background(), access.Actor{ID: p.ID, Role: p.Role, TenantID: tenantID})
		}
		reads := func(ctx context.Context, class access.DataClass, act access.Action) bool {
			t.Helper()
			_, err := gr.Authorize(ctx, w.a.ID, patient.ID, class, act)
			if err != nil && !apperr.Is(err, apperr.Denied) {
				t.Fatalf("authorize: %v", err)
			}
			return err == nil
		}
		everyone := map[string]context.Context{"B clinician": as(clinB, w.b.ID), "B customer service": as(csB, w.b.ID),
			"C clinician": as(clinC, w.c.ID), "org clinician in B": as(orgClin, w.b.ID)}
		for name, ctx := range everyone {
			for _, class := range access.DataClasses {
				if reads(ctx, class, access.Read) {
					t.Errorf("%s reads %s without consent", name, class)
				}
			}
		}
		// Care cannot be assigned without consent: the patient is absent.
		if err := gr.AddSharedCare(as(adminB, w.b.ID), w.b.ID, clinB.ID, w.a.ID, patient.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("care without consent: %v, want not found", err)
		}

		// The patient shares in the portal; the unrelated tenant is not on
		// the list, and naming it is refused.
		pc := s.ClientAs(t, patient)
		resp, body := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/sharing", nil))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Sister Brand") || strings.Contains(body, "Unrelated Pharmacy") ||
			!strings.Contains(body, "You share nothing") {
			t.Fatalf("sharing page: %d\n%s", resp.StatusCode, body)
		}
		resp, body = testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/sharing", url.Values{"brand": {w.c.ID}, "scopes": {"clinical"}}))
		if resp.StatusCode != http.StatusUnprocessableEntity && resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("share with the unrelated tenant: %d\n%s", resp.StatusCode, body)
		}
		if resp, _ := testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/sharing", url.Values{"brand": {w.b.ID}})); resp.StatusCode < 400 {
			t.Fatalf("share with nothing chosen: %d", resp.StatusCode)
		}
		resp, _ = testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/sharing", url.Values{"brand": {w.b.ID}, "scopes": {"clinical", "contact", "orders"}}))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("share: %d", resp.StatusCode)
		}
		_, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/sharing", nil))
		if !strings.Contains(body, "Clinical records") || !strings.Contains(body, "/revoke") {
			t.Fatalf("the page does not list the share:\n%s", body)
		}
		// Consent alone is not enough: care is.
		if reads(as(clinB, w.b.ID), access.DataClinical, access.Read) {
			t.Error("B clinician reads without care")
		}
		if err := gr.AddSharedCare(as(adminC, w.c.ID), w.c.ID, clinC.ID, w.a.ID, patient.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("C assigns care: %v, want not found", err)
		}
		if err := gr.AddSharedCare(as(clinB, w.b.ID), w.b.ID, clinB.ID, w.a.ID, patient.ID); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("a clinician assigns their own care: %v, want denied", err)
		}
		if err := gr.AddSharedCare(as(adminB, w.b.ID), w.b.ID, clinB.ID, w.a.ID, patient.ID); err != nil {
			t.Fatal(err)
		}
		for _, class := range access.DataClasses {
			want := class == access.DataClinical || class == access.DataContact // shared, and a clinician reads them
			if got := reads(as(clinB, w.b.ID), class, access.Read); got != want {
				t.Errorf("B clinician with care reads %s: %v, want %v", class, got, want)
			}
			if reads(as(clinB, w.b.ID), class, access.Write) {
				t.Errorf("B clinician writes %s across brands", class)
			}
		}
		for name, ctx := range map[string]context.Context{"B customer service": everyone["B customer service"],
			"C clinician": everyone["C clinician"], "org clinician in B": everyone["org clinician in B"]} {
			if reads(ctx, access.DataClinical, access.Read) || reads(ctx, access.DataOrders, access.Read) {
				t.Errorf("%s reads without care", name)
			}
		}
		// The organisation clinician acting in B, once B's admin assigns
		// care, reads as B's staff do.
		if err := gr.AddSharedCare(as(adminB, w.b.ID), w.b.ID, orgClin.ID, w.a.ID, patient.ID); err != nil {
			t.Fatal(err)
		}
		if !reads(everyone["org clinician in B"], access.DataClinical, access.Read) {
			t.Error("the organisation clinician acting in B with care cannot read what was shared")
		}

		// Withdrawn: nothing again, at once.
		id := regexp.MustCompile(`/account/sharing/([^/]+)/revoke`).FindStringSubmatch(body)
		other := s.NewPerson(t, access.RolePatient)
		if resp, _ := testkit.Do(t, s.ClientAs(t, other), s.NewRequest(t, "POST", "/account/sharing/"+id[1]+"/revoke", nil)); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("another patient withdraws it: %d, want 404", resp.StatusCode)
		}
		resp, body = testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/sharing/"+id[1]+"/revoke", nil))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "You share nothing") {
			t.Fatalf("withdraw: %d\n%s", resp.StatusCode, body)
		}
		if reads(as(clinB, w.b.ID), access.DataClinical, access.Read) || reads(everyone["org clinician in B"], access.DataClinical, access.Read) {
			t.Error("read after the consent was withdrawn")
		}

		// Audited: the consent and its withdrawal in A's log; the
		// cross-brand reads refused, in A's log with the brand they came
		// from as actor's tenant never shown to the patient.
		recs, err := s.AuditLog().Find(context.Background(), audit.Query{TenantID: w.a.ID, Subject: patient.ID, Limit: 5000})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, r := range recs {
			seen[r.Action+"/"+string(r.Outcome)]++
		}
		for _, want := range []string{"brand_share.grant/" + string(audit.Allowed), "brand_share.revoke/" + string(audit.Allowed),
			"clinical.read/" + string(audit.Denied)} {
			if seen[want] == 0 {
				t.Errorf("no %s event in the patient's brand: %v", want, seen)
			}
		}
	})
}
