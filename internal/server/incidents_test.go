package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/incidents"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestIncidentToItsNotices walks an incident over HTTP on both engines: the
// compliance officer records it (bad input first: 422, the field's error,
// nothing recorded), selects the people affected from the audit log (the
// patients one account read in a window), assesses it a breach, writes the
// letter and sends the notices; each person's letter is a PDF. The patient
// sees the notice after signing in and downloads it; their proxy, another
// patient, an admin, and another tenant's compliance officer get the plain
// 404 for it all. The email says only to sign in. The HHS log is CSV.
func TestIncidentToItsNotices(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		officer := s.NewPerson(t, access.RoleCompliance)
		comp := s.ClientAs(t, officer)
		admin := s.ClientAs(t, s.NewPerson(t, access.RoleAdmin))
		patient := s.NewPerson(t, access.RolePatient)
		carer := s.NewPerson(t, access.RolePatient)
		bystander := s.NewPerson(t, access.RolePatient)
		if err := s.Services().Grants.GrantProxy(access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID}),
			carer.Email, []string{"orders", "clinical", "audit"}); err != nil {
			t.Fatal(err)
		}
		s.Services().After.Wait()

		// A customer service account read the patient's record.
		reader := id.New()
		start := s.Clock.Now().Add(-time.Hour)
		rctx := access.WithActor(ctx, access.Actor{ID: reader, Role: access.RoleCustomerService, TenantID: s.Tenant.ID})
		if err := s.Stores.AuditLog.Append(rctx, audit.Entry{Time: start.Add(time.Minute), TenantID: s.Tenant.ID, Subjects: []string{patient.ID},
			Action: "user.read", ResourceType: "user", ResourceID: patient.ID, Purpose: access.PurposeOperations, Outcome: audit.Allowed, Severity: audit.Normal}); err != nil {
			t.Fatal(err)
		}

		today := s.Clock.Now().UTC().Format(incidents.DateLayout)
		r, body := get(t, comp, s.NewRequest(t, "POST", "/admin/compliance/incidents", url.Values{"title": {"Misused login"}, "discovered_on": {today},
			"description": {"A login read records without a reason."}}))
		if r.StatusCode != 422 || !strings.Contains(body, "Tick the systems involved.") || !strings.Contains(body, `value="Misused login"`) {
			t.Fatalf("bad incident: %d", r.StatusCode)
		}
		sys := access.WithActor(ctx, access.Actor{ID: officer.ID, Role: access.RoleCompliance, TenantID: s.Tenant.ID})
		if list, err := s.Services().Incidents.List(sys, s.Tenant.ID); err != nil || len(list) != 0 {
			t.Fatalf("after bad input: %d %v", len(list), err)
		}
		r, _ = get(t, comp, s.NewRequest(t, "POST", "/admin/compliance/incidents", url.Values{"title": {"Misused login"}, "discovered_on": {today},
			"description": {"A login read records without a reason."}, "systems": {"portal"}, "data_classes": {"names", "orders"},
			"breach_type": {"unauthorized access or disclosure"}}))
		if r.StatusCode != 303 {
			t.Fatalf("record: %d", r.StatusCode)
		}
		page := r.Header.Get("Location")
		page = page[:strings.Index(page, "?")]
		steps := []struct {
			path string
			form url.Values
		}{
			{"/affected", url.Values{"kind": {"by_account"}, "actor": {reader}, "from": {start.Format("2006-01-02T15:04")},
				"to": {s.Clock.Now().Add(time.Minute).UTC().Format("2006-01-02T15:04")}}},
			{"/assessment", url.Values{"nature": {"Names and order history."}, "recipient": {"A former employee."}, "acquired": {"Viewed."},
				"mitigation": {"Login disabled."}, "conclusion": {"breach"}}},
			{"/letter", url.Values{"what_happened": {"A staff login viewed records."}, "information": {"Names and orders."},
				"steps": {"Be wary of calls claiming to be us."}, "doing": {"We disabled the login."}, "contact": {"Call 1-800-555-0100."}}},
			{"/notify", url.Values{}},
		}
		for _, st := range steps {
			if r, body := get(t, comp, s.NewRequest(t, "POST", page+st.path, st.form)); r.StatusCode != 303 {
				t.Fatalf("%s: %d %s", st.path, r.StatusCode, body)
			}
		}
		r, body = get(t, comp, s.NewRequest(t, "GET", page, nil))
		if r.StatusCode != 200 || !strings.Contains(body, "Sent on") || !strings.Contains(body, "/letters/"+patient.ID) ||
			!strings.Contains(body, "fewer than 500 people") {
			t.Fatalf("incident page: %d", r.StatusCode)
		}
		r, body = get(t, comp, s.NewRequest(t, "GET", page+"/letters/"+patient.ID, nil))
		if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") || !strings.Contains(body, "Test Person") {
			t.Fatalf("letter: %d", r.StatusCode)
		}
		r, body = get(t, comp, s.NewRequest(t, "GET", "/admin/compliance/incidents/hhs-log.csv?year="+today[:4], nil))
		if r.StatusCode != 200 || !strings.Contains(body, "Misused login") || strings.Contains(body, patient.ID) {
			t.Fatalf("hhs log: %d %s", r.StatusCode, body)
		}

		// The patient: the notice in the portal, the letter.
		pc := s.ClientAs(t, patient)
		r, body = get(t, pc, s.NewRequest(t, "GET", "/account/notices", nil))
		if r.StatusCode != 200 || !strings.Contains(body, "A staff login viewed records.") || !strings.Contains(body, "1-800-555-0100") {
			t.Fatalf("notices: %d", r.StatusCode)
		}
		me := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		ns, err := s.Services().Incidents.Notices(me, s.Tenant.ID, patient.ID)
		if err != nil || len(ns) != 1 {
			t.Fatalf("notices: %v", err)
		}
		letter := "/account/notices/" + ns[0].ID + "/letter"
		if r, body := get(t, pc, s.NewRequest(t, "GET", letter, nil)); r.StatusCode != 200 || !strings.HasPrefix(body, "%PDF-") {
			t.Fatalf("own letter: %d", r.StatusCode)
		}
		// The email: nothing but the sign-in notice.
		items, err := s.Services().Outbox.Recent(access.WithActor(ctx, access.System("test", s.Tenant.ID)), s.Tenant.ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, it := range items {
			if it.To.Reveal() == patient.Email && strings.Contains(it.Subject, "An important notice about your information") {
				found = true
				if txt := it.Text.Reveal(); strings.Contains(txt, "staff login") || strings.Contains(txt, "orders") || !strings.Contains(txt, "/account/notices") {
					t.Errorf("email: %s", txt)
				}
			}
		}
		if !found {
			t.Fatal("no notice email to the patient")
		}

		// Nobody else: the plain 404.
		_, notFound := get(t, pc, s.NewRequest(t, "GET", "/no/such/page", nil))
		for name, c := range map[string]*http.Client{"proxy": s.ClientAs(t, carer), "other patient": s.ClientAs(t, bystander)} {
			if r, body := get(t, c, s.NewRequest(t, "GET", letter, nil)); r.StatusCode != 404 || strip(body) != strip(notFound) {
				t.Errorf("%s reads the notice: %d", name, r.StatusCode)
			}
			if _, body := get(t, c, s.NewRequest(t, "GET", "/account/notices", nil)); strings.Contains(body, "A staff login viewed records.") {
				t.Errorf("%s sees the notice", name)
			}
		}
		_, notFound = get(t, admin, s.NewRequest(t, "GET", "/no/such/page", nil))
		for _, p := range []string{"/admin/compliance/incidents", page, page + "/letters/" + patient.ID} {
			if r, body := get(t, admin, s.NewRequest(t, "GET", p, nil)); r.StatusCode != 404 || strip(body) != strip(notFound) {
				t.Errorf("admin %s: %d", p, r.StatusCode)
			}
		}
		_, notFound = get(t, comp, s.NewRequest(t, "GET", "/no/such/page", nil))
		if r, body := get(t, comp, s.NewRequest(t, "GET", page+"/letters/"+bystander.ID, nil)); r.StatusCode != 404 || strip(body) != strip(notFound) {
			t.Errorf("letter to someone not affected: %d", r.StatusCode)
		}
		other := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Pharmacy", Hostnames: []string{"other.test"},
			Theme: tenant.DefaultTheme, CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
		if err := store.NewTenants(s.Stores.Catalog).Create(ctx, other); err != nil {
			t.Fatal(err)
		}
		otherComp := access.WithActor(ctx, access.Actor{ID: id.New(), Role: access.RoleCompliance, TenantID: other.ID})
		theirs, err := s.Services().Incidents.Create(otherComp, other.ID, incidents.Input{Title: "Theirs", DiscoveredOn: today,
			Description: "x", Systems: []string{"email"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range []string{theirs.ID, id.New()} {
			for _, rq := range []*http.Request{
				s.NewRequest(t, "GET", "/admin/compliance/incidents/"+target, nil),
				s.NewRequest(t, "POST", "/admin/compliance/incidents/"+target+"/close", url.Values{}),
			} {
				if r, body := get(t, comp, rq); r.StatusCode != 404 || strip(body) != strip(notFound) {
					t.Errorf("%s %s: %d (want the plain 404)", rq.Method, rq.URL.Path, r.StatusCode)
				}
			}
		}
	})
}
