package staff_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// patientEvents counts a tenant's audit events of an action, and returns
// them.
func patientEvents(t *testing.T, s *testkit.Server, action string) []audit.Record {
	t.Helper()
	var out []audit.Record
	if err := audit.Each(context.Background(), store.NewAuditEvents(s.Stores.Audit), time.Time{}, time.Time{}, func(r audit.Record) error {
		if r.Action == action {
			out = append(out, r)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStaffFindAndViewPatientByRole: staff find a patient by full name (any
// case and spacing), email address or order reference, among those they
// may see; the patient's page shows the sections the role may read; a
// patient a role may not see, another tenant's, a staff account and a
// made-up id are the plain 404; fulfilment has no such pages; break-glass
// opens the page with its reason on it, for the grant's time. Each search
// and each view is one audited access, the term never stored raw.
func TestStaffFindAndViewPatientByRole(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		v := product(t, s, s.Tenant.ID, "Epinephrine Auto-Injector", true)
		patient := s.NewPerson(t, access.RolePatient)
		pc := s.ClientAs(t, patient)
		// The name's blind index is written on profile save.
		if r, _ := testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/profile", url.Values{"name": {"Ada Lovelace"}, "phone": {""}, "dob": {"2999-01-01"}})); r.StatusCode != 422 {
			t.Fatalf("a date of birth in the future: %d", r.StatusCode)
		}
		if r, _ := testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/profile", url.Values{"name": {"Ada Lovelace"}, "phone": {""}, "dob": {"1985-12-10"}})); r.StatusCode != 200 {
			t.Fatalf("profile: %d", r.StatusCode)
		}
		if _, body := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/profile", nil)); !strings.Contains(body, `value="1985-12-10"`) {
			t.Fatalf("the profile does not show the date of birth saved:\n%s", body)
		}
		_, ref := row(t, s, buy(t, s, pc, v.ID, "test"))
		cs := s.ClientAs(t, s.NewPerson(t, access.RoleCustomerService))
		pharm := s.ClientAs(t, s.NewPerson(t, access.RolePharmacist))
		admin := s.NewPerson(t, access.RoleAdmin)
		carer := s.NewPerson(t, access.RoleClinician)
		if err := s.Services().Grants.AddCare(access.WithActor(ctx, access.Actor{ID: admin.ID, Role: access.RoleAdmin, TenantID: s.Tenant.ID}),
			s.Tenant.ID, carer.ID, patient.ID); err != nil {
			t.Fatal(err)
		}
		doc := s.ClientAs(t, carer)
		strangerDoc := s.NewPerson(t, access.RoleClinician)
		stranger := s.ClientAs(t, strangerDoc)
		fulfil := s.ClientAs(t, s.NewPerson(t, access.RoleFulfillment))
		page := "/staff/patients/" + patient.ID
		// A section of clinical data, from a source that does not decide
		// itself: the page must leave it out for roles that may not read
		// clinical data (the real sources decide again).
		s.Services().PatientSources[portal.WidgetLabs] = portal.SourceFunc(func(context.Context, string, string) (portal.Summary, error) {
			return portal.Summary{Lines: []portal.Line{{Title: "Lipid panel", Detail: "Released"}}, Total: 1}, nil
		})

		// Search: four ways to the same patient, for customer service.
		link := regexp.MustCompile(`href="/staff/patients/([0-9a-f-]{36})"`)
		for _, q := range []url.Values{{"name": {"  ada   LOVELACE "}}, {"dob": {"1985-12-10"}}, {"email": {patient.Email}}, {"ref": {strings.ToLower(ref)}}} {
			r, body := testkit.Do(t, cs, s.NewRequest(t, "POST", "/staff/patients", q))
			m := link.FindAllStringSubmatch(body, -1)
			if r.StatusCode != 200 || len(m) != 1 || m[0][1] != patient.ID || !strings.Contains(body, "Ada Lovelace") {
				t.Fatalf("search %v: %d\n%s", q, r.StatusCode, body)
			}
		}
		// Bad input: a clear error, nothing searched.
		before := len(patientEvents(t, s, "patient.search"))
		for _, q := range []url.Values{{}, {"name": {"Ada"}, "ref": {ref}}, {"ref": {"not a ref"}}, {"email": {"nope"}}, {"dob": {"10/12/1985"}}} {
			if r, _ := testkit.Do(t, cs, s.NewRequest(t, "POST", "/staff/patients", q)); r.StatusCode != 422 {
				t.Fatalf("bad search %v: %d", q, r.StatusCode)
			}
		}
		evs := patientEvents(t, s, "patient.search")
		if len(evs) != before || before != 4 {
			t.Fatalf("searches audited: %d then %d, want 4 and no more", before, len(evs))
		}
		for _, ev := range evs {
			if len(ev.TextHMAC) == 0 || strings.Contains(ev.Detail, "ada") || strings.Contains(ev.Detail, "1985") || ev.Purpose != access.PurposeOperations || len(ev.Subjects) != 1 {
				t.Fatalf("search event: %+v", ev.Entry)
			}
		}
		// A clinician finds only their patients: a stranger finds nobody
		// (and that search is audited too).
		if _, body := testkit.Do(t, stranger, s.NewRequest(t, "POST", "/staff/patients", url.Values{"name": {"Ada Lovelace"}})); link.MatchString(body) ||
			!strings.Contains(body, "No patient you may see matches") {
			t.Fatalf("a clinician without care found the patient:\n%s", body)
		}
		if _, body := testkit.Do(t, doc, s.NewRequest(t, "POST", "/staff/patients", url.Values{"name": {"Ada Lovelace"}})); !link.MatchString(body) {
			t.Fatalf("the patient's clinician did not find them:\n%s", body)
		}

		// The page, by role.
		views0 := len(patientEvents(t, s, "patient.view"))
		r, body := testkit.Do(t, cs, s.NewRequest(t, "GET", page, nil))
		if r.StatusCode != 200 || !strings.Contains(body, patient.Email) || !strings.Contains(body, "Open orders") || !strings.Contains(body, ref) ||
			r.Header.Get("Cache-Control") != "no-store" || strings.Contains(body, "Lipid panel") {
			t.Fatalf("customer service: %d\n%s", r.StatusCode, body)
		}
		if r, body := testkit.Do(t, pharm, s.NewRequest(t, "GET", page, nil)); r.StatusCode != 200 || !strings.Contains(body, ref) ||
			strings.Contains(body, "Lipid panel") {
			t.Fatalf("pharmacist: %d\n%s", r.StatusCode, body)
		}
		// The clinician: contact and results, but orders are not clinical
		// data.
		if r, body := testkit.Do(t, doc, s.NewRequest(t, "GET", page, nil)); r.StatusCode != 200 || !strings.Contains(body, patient.Email) ||
			strings.Contains(body, "Open orders") || strings.Contains(body, ref) || !strings.Contains(body, "Lipid panel") {
			t.Fatalf("clinician: %d\n%s", r.StatusCode, body)
		}
		if views := patientEvents(t, s, "patient.view"); len(views)-views0 != 3 {
			t.Fatalf("views audited: %d, want 3", len(views)-views0)
		}

		// Everyone else: the plain 404, as that person sees it.
		ot := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Pharmacy", Hostnames: []string{"other.test"},
			Theme: tenant.DefaultTheme, CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
		if err := store.NewTenants(s.Stores.Catalog).Create(ctx, ot); err != nil {
			t.Fatal(err)
		}
		foreign := s.NewPersonIn(t, ot, access.RolePatient)
		cases := []struct {
			name string
			who  string
			path string
		}{
			{"clinician without care", "stranger", page},
			{"fulfilment", "fulfil", page},
			{"fulfilment search", "fulfil", "/staff/patients"},
			{"another tenant's patient", "cs", "/staff/patients/" + foreign.ID},
			{"a staff account", "cs", "/staff/patients/" + carer.ID},
			{"made up", "cs", "/staff/patients/" + id.New()},
			{"not an id", "cs", "/staff/patients/ada"},
			{"the patient", "patient", page},
			{"the patient's proxy", "proxy", page},
			{"the proxy searching", "proxy", "/staff/patients"},
		}
		proxy := s.NewPerson(t, access.RolePatient)
		if err := s.Services().Grants.GrantProxy(access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID}),
			proxy.Email, []string{"orders", "contact"}); err != nil {
			t.Fatal(err)
		}
		s.Services().After.Wait()
		clients := map[string]*http.Client{"stranger": stranger, "fulfil": fulfil, "cs": cs, "patient": pc, "proxy": s.ClientAs(t, proxy)}
		for _, c := range cases {
			cl := clients[c.who]
			_, plain := testkit.Do(t, cl, s.NewRequest(t, "GET", "/no/such/page", nil))
			if r, body := testkit.Do(t, cl, s.NewRequest(t, "GET", c.path, nil)); r.StatusCode != 404 || strip(body) != strip(plain) {
				t.Errorf("%s: %d, want the plain 404", c.name, r.StatusCode)
			}
		}

		// Break-glass opens the page for the stranger, reason on screen,
		// with the orders (break-glass reads them), for the grant's hour.
		reason := "Anaphylaxis in the waiting room, need what was dispensed"
		r, body = testkit.Do(t, stranger, s.NewRequest(t, "POST", "/staff/break-glass", url.Values{"email": {patient.Email}, "reason": {reason}}))
		if r.StatusCode != 200 || !strings.Contains(body, `href="`+page+`"`) {
			t.Fatalf("the grant does not link to the patient's page: %d\n%s", r.StatusCode, body)
		}
		r, body = testkit.Do(t, stranger, s.NewRequest(t, "GET", page, nil))
		if r.StatusCode != 200 || !strings.Contains(body, "Emergency access") || !strings.Contains(body, reason) || !strings.Contains(body, ref) ||
			!strings.Contains(body, "Lipid panel") {
			t.Fatalf("under break-glass: %d\n%s", r.StatusCode, body)
		}
		var bg int
		for _, ev := range patientEvents(t, s, "patient.view") {
			if ev.ActorID == strangerDoc.ID && ev.Purpose == access.PurposeBreakGlass {
				bg++
			}
		}
		if bg != 1 {
			t.Fatalf("break-glass views audited with their purpose: %d", bg)
		}
		for range 5 {
			s.Clock.Advance(11 * time.Minute)
			testkit.Do(t, stranger, s.NewRequest(t, "GET", "/staff", nil)) // at work: the session stays alive
		}
		s.Clock.Advance(6 * time.Minute)
		_, plain := testkit.Do(t, stranger, s.NewRequest(t, "GET", "/no/such/page", nil))
		if r, body := testkit.Do(t, stranger, s.NewRequest(t, "GET", page, nil)); r.StatusCode != 404 || strip(body) != strip(plain) {
			t.Fatalf("after the grant: %d", r.StatusCode)
		}
		// PHI never reaches the log.
		if l := s.Log.String(); strings.Contains(l, "Lovelace") || strings.Contains(l, patient.Email) || strings.Contains(l, "Anaphylaxis") {
			t.Fatal("PHI in the log")
		}
	})
}
