package server_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/retention"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestRetentionPages: the compliance officer sets retention rules within the
// legal minimums (below one: a clear error and nothing changes) and downloads
// disposal certificates that name who, what, when, method and rule and hold
// no PHI; another role, or a certificate of another tenant, is the plain 404.
func TestRetentionPages(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		other := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Pharmacy", Hostnames: []string{"other.test"},
			Theme: tenant.DefaultTheme, CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
		if err := store.NewTenants(s.Stores.Catalog).Create(ctx, other); err != nil {
			t.Fatal(err)
		}
		patient := s.NewPerson(t, access.RolePatient)
		rs := store.NewRetention(s.Stores.PHI)
		now := s.Clock.Now()
		own := retention.Certificate{ID: id.New(), TenantID: s.Tenant.ID, Subject: patient.ID, ClosedAt: now.Add(-7 * 365 * 24 * time.Hour),
			RetainedUntil: now.Add(-time.Hour), DisposedAt: now, Actor: "system job retention.dispose", Method: retention.Method,
			Rule: "documentation kept 2190 days after the account closed"}
		foreign := own
		foreign.ID, foreign.TenantID, foreign.Subject = id.New(), other.ID, id.New()
		for _, c := range []retention.Certificate{own, foreign} {
			if err := rs.AddCertificate(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		officer := s.ClientAs(t, s.NewPerson(t, access.RoleCompliance))
		_, notFound := get(t, officer, s.NewRequest(t, "GET", "/no/such/page", nil))

		r, body := get(t, officer, s.NewRequest(t, "GET", "/admin/compliance/retention", nil))
		if r.StatusCode != 200 || !strings.Contains(body, "/admin/compliance/retention/certificates/"+own.ID) ||
			strings.Contains(body, foreign.ID) || !strings.Contains(body, "2190 days") {
			t.Fatalf("retention page: %d, own certificate listed %v, foreign listed %v", r.StatusCode,
				strings.Contains(body, own.ID), strings.Contains(body, foreign.ID))
		}

		// Below the legal minimum: a clear error, nothing changes.
		for _, days := range []string{"2000", "0", "six years"} {
			r, body = get(t, officer, s.NewRequest(t, "POST", "/admin/compliance/retention",
				url.Values{"record_type": {retention.Documentation}, "keep_days": {days}}))
			if r.StatusCode < 400 || r.StatusCode >= 500 || (!strings.Contains(body, "legal minimum") && !strings.Contains(body, "whole number")) {
				t.Errorf("documentation kept %s days: %d, want a clear refusal", days, r.StatusCode)
			}
		}
		r, _ = get(t, officer, s.NewRequest(t, "POST", "/admin/compliance/retention",
			url.Values{"record_type": {"gossip"}, "keep_days": {"4000"}}))
		if r.StatusCode < 400 || r.StatusCode >= 500 {
			t.Errorf("unknown record type: %d", r.StatusCode)
		}
		rules, err := rs.Rules(ctx, s.Tenant.ID)
		if err != nil || len(rules) != 0 {
			t.Fatalf("refused rules changed something: %v %v", rules, err)
		}
		// A rule within the minimum is requested, and applied once a second
		// person (an admin) approves it (issue 19: changes with approvals).
		r, body = get(t, officer, s.NewRequest(t, "POST", "/admin/compliance/retention",
			url.Values{"record_type": {retention.Messages}, "keep_days": {"400"}, "reason": {"policy update"}}))
		if r.StatusCode != 200 || !strings.Contains(body, "requested") {
			t.Fatalf("a rule within the minimum: %d", r.StatusCode)
		}
		if rules, err = rs.Rules(ctx, s.Tenant.ID); err != nil || len(rules) != 0 {
			t.Fatalf("a requested rule applied before approval: %+v %v", rules, err)
		}
		reqs, err := s.Services().Changes.List(ctx, s.Tenant.ID, 10)
		pendingID := ""
		for _, c := range reqs {
			if c.Status == changes.Pending {
				pendingID = c.ID
			}
		}
		if err != nil || pendingID == "" {
			t.Fatalf("no change request: %v", err)
		}
		approver := s.ClientAs(t, s.NewPerson(t, access.RoleAdmin))
		if r, _ = get(t, approver, s.NewRequest(t, "POST", "/admin/compliance/changes/"+pendingID+"/approve", nil)); r.StatusCode != 200 {
			t.Fatalf("approve the rule: %d", r.StatusCode)
		}
		if rules, err = rs.Rules(ctx, s.Tenant.ID); err != nil || len(rules) != 1 || rules[0].Keep != 400*24*time.Hour {
			t.Fatalf("rule saved: %+v %v", rules, err)
		}

		// The certificate: who, what, when, method, rule; no PHI.
		r, body = get(t, officer, s.NewRequest(t, "GET", "/admin/compliance/retention/certificates/"+own.ID, nil))
		if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") ||
			!strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("certificate: %d %s %s", r.StatusCode, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"))
		}
		for _, want := range []string{"Who:", own.Actor, "What:", own.Subject, "When disposed:", own.DisposedAt.UTC().Format(time.RFC3339),
			"Method:", "crypto-shredding", "Rule:", own.Rule} {
			if !strings.Contains(body, want) {
				t.Errorf("certificate lacks %q", want)
			}
		}
		if strings.Contains(body, patient.Email) {
			t.Error("certificate holds the patient's email")
		}

		// Another tenant's certificate, a made-up one, or another role: the plain 404.
		for _, path := range []string{"/admin/compliance/retention/certificates/" + foreign.ID, "/admin/compliance/retention/certificates/" + id.New()} {
			r, body = get(t, officer, s.NewRequest(t, "GET", path, nil))
			if r.StatusCode != 404 || strip(body) != strip(notFound) {
				t.Errorf("%s: %d, differs from a plain 404: %v", path, r.StatusCode, strip(body) != strip(notFound))
			}
		}
		for _, role := range []access.Role{access.RoleStoreManager, access.RoleClinician, access.RolePatient} {
			c := s.ClientAs(t, s.NewPerson(t, role))
			_, nf := get(t, c, s.NewRequest(t, "GET", "/no/such/page", nil))
			for _, path := range []string{"/admin/compliance/retention", "/admin/compliance/retention/certificates/" + own.ID} {
				r, body = get(t, c, s.NewRequest(t, "GET", path, nil))
				if r.StatusCode != 404 || strip(body) != strip(nf) {
					t.Errorf("%s on %s: %d, differs from a plain 404", role, path, r.StatusCode)
				}
			}
		}
	})
}
