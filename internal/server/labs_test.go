package server_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// giveCare records a clinician's care relationship with a patient, as an
// admin of the tenant does.
func giveCare(t testing.TB, s *testkit.Server, ten *tenant.Tenant, clinicianID, patientID string) {
	t.Helper()
	admin := s.NewPersonIn(t, ten, access.RoleAdmin)
	ctx := access.WithActor(context.Background(), access.Actor{ID: admin.ID, Role: access.RoleAdmin, TenantID: ten.ID})
	if err := s.Services().Grants.AddCare(ctx, ten.ID, clinicianID, patientID); err != nil {
		t.Fatal(err)
	}
}

// lipidForm is the entry form of a lipid panel for a patient; ldl sets the
// LDL value (its critical limit is 400 mg/dL).
func lipidForm(email, ldl string, release bool) url.Values {
	v := url.Values{"email": {email}, "panel": {"Lipid panel"}, "collected": {"2026-11-20"},
		"obs.0.loinc": {"13457-7"}, "obs.0.name": {"LDL cholesterol"}, "obs.0.value": {ldl}, "obs.0.unit": {"mg/dL"},
		"obs.0.high": {"100"}, "obs.0.crit_high": {"400"},
		// Row 1 left empty on purpose: errors must land on the right row.
		"obs.2.loinc": {"2085-9"}, "obs.2.name": {"HDL cholesterol"}, "obs.2.value": {"52"}, "obs.2.unit": {"mg/dL"}, "obs.2.low": {"40"}}
	if release {
		v.Set("release", "1")
	}
	return v
}

var reportLink = regexp.MustCompile(`/account/results/([0-9a-f-]{36})"`)
var trendLink = regexp.MustCompile(`/account/results/[0-9a-f-]{36}/trend/[0-9a-f-]{36}`)

// countReports counts a tenant's lab reports, whatever their state.
func countReports(t testing.TB, s *testkit.Server) int {
	t.Helper()
	var n int
	if err := s.Stores.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT COUNT(*) FROM lab_reports`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLabResultsJourney: a clinician enters a report (bad input first: a
// clear error on the right field and nothing stored), it is held (the
// patient does not see it), released, new until opened, with a trend; a
// critical value alerts the clinician by an email with no PHI and on their
// staff pages. Both engines.
func TestLabResultsJourney(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		patient := s.NewPerson(t, access.RolePatient)
		doc := s.NewPerson(t, access.RoleClinician)
		giveCare(t, s, s.Tenant, doc.ID, patient.ID)
		dc, pc := s.ClientAs(t, doc), s.ClientAs(t, patient)

		// Bad input: an unknown unit and a LOINC code with a wrong check
		// digit, each named on its row; nothing stored.
		bad := lipidForm(patient.Email, "162", false)
		bad.Set("obs.2.unit", "mg/dl")
		bad.Set("obs.0.loinc", "13457-1")
		r, body := testkit.Do(t, dc, s.NewRequest(t, "POST", "/staff/results", bad))
		if r.StatusCode != 422 || !strings.Contains(body, `id="f-obs.2.unit-error"`) || !strings.Contains(body, "Unknown unit") ||
			!strings.Contains(body, `id="f-obs.0.loinc-error"`) || strings.Contains(body, `id="f-obs.2.loinc-error"`) {
			t.Fatalf("bad entry: %d\n%s", r.StatusCode, body)
		}
		if n := countReports(t, s); n != 0 {
			t.Fatalf("a refused report was stored: %d", n)
		}
		// A patient the clinician does not care for: the same words as an
		// unknown address, nothing stored.
		stranger := s.NewPerson(t, access.RolePatient)
		r, body = testkit.Do(t, dc, s.NewRequest(t, "POST", "/staff/results", lipidForm(stranger.Email, "120", false)))
		r2, body2 := testkit.Do(t, dc, s.NewRequest(t, "POST", "/staff/results", lipidForm("nobody@example.com", "120", false)))
		if r.StatusCode != 422 || r2.StatusCode != 422 || !strings.Contains(body, "No patient of yours has this address.") ||
			strings.Count(body, "No patient of yours") != strings.Count(body2, "No patient of yours") || countReports(t, s) != 0 {
			t.Fatalf("entry for a stranger: %d %d", r.StatusCode, r2.StatusCode)
		}

		// A good, critical report: held.
		r, body = testkit.Do(t, dc, s.NewRequest(t, "POST", "/staff/results", lipidForm(patient.Email, "455", false)))
		if r.StatusCode != 200 || !strings.Contains(body, "held until you release it") || !strings.Contains(body, "Critical values to review") {
			t.Fatalf("entry: %d\n%s", r.StatusCode, body)
		}
		ids := regexp.MustCompile(`/staff/results/([0-9a-f-]{36})/release`).FindStringSubmatch(body)
		if ids == nil {
			t.Fatal("no release button for the held report")
		}
		reportID := ids[1]
		// The alert: on the staff home (a count) and by email, with no PHI.
		if _, home := testkit.Do(t, dc, s.NewRequest(t, "GET", "/staff", nil)); !strings.Contains(home, `<span class="count-figure">1</span> critical to review`) {
			t.Fatalf("staff home has no critical count:\n%s", home)
		}
		items, err := s.Services().Outbox.Recent(access.WithActor(context.Background(), access.System("test", s.Tenant.ID)), s.Tenant.ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		var alert bool
		for _, it := range items {
			if it.Kind == "lab_attention" && strings.EqualFold(it.To.Reveal(), doc.Email) {
				alert = true
				text := it.Subject + it.Text.Reveal()
				for _, leak := range []string{"LDL", "455", "cholesterol", "Lipid", patient.Email, patient.ID} {
					if strings.Contains(text, leak) {
						t.Errorf("the alert email carries %q", leak)
					}
				}
			}
		}
		if !alert {
			t.Fatal("no alert email to the ordering clinician")
		}

		// Held: the patient sees neither the report nor its page.
		_, notFound := testkit.Do(t, pc, s.NewRequest(t, "GET", "/no/such/page", nil))
		if _, list := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/results", nil)); strings.Contains(list, reportID) || !strings.Contains(list, "No lab results yet") {
			t.Fatal("a held report is listed")
		}
		if r, body := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/results/"+reportID, nil)); r.StatusCode != 404 || strip(body) != strip(notFound) {
			t.Fatalf("a held report opened: %d", r.StatusCode)
		}

		// Released: listed as new; opened, no longer new; its trend.
		if r, _ := testkit.Do(t, dc, s.NewRequest(t, "POST", "/staff/results/"+reportID+"/release", url.Values{})); r.StatusCode != 200 {
			t.Fatalf("release: %d", r.StatusCode)
		}
		if r, body := testkit.Do(t, dc, s.NewRequest(t, "POST", "/staff/results/"+reportID+"/release", url.Values{})); r.StatusCode != 409 || !strings.Contains(body, "already released") {
			t.Fatalf("release twice: %d", r.StatusCode)
		}
		_, list := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/results", nil))
		if !strings.Contains(list, "/account/results/"+reportID) || !strings.Contains(list, "New · Critical") || !strings.Contains(list, "1 new") {
			t.Fatalf("released report not listed as new:\n%s", list)
		}
		r, page := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/results/"+reportID, nil))
		if r.StatusCode != 200 || !strings.Contains(page, "455 mg/dL") || !strings.Contains(page, "≤ 100 mg/dL") || !strings.Contains(page, "flag-critical") ||
			!strings.Contains(page, "≥ 40 mg/dL") {
			t.Fatalf("report page: %d\n%s", r.StatusCode, page)
		}
		if _, list := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/results", nil)); strings.Contains(list, "New · ") {
			t.Fatal("an opened report is still new")
		}
		trend := trendLink.FindString(page)
		r, tp := testkit.Do(t, pc, s.NewRequest(t, "GET", trend, nil))
		if r.StatusCode != 200 || !strings.Contains(tp, `data-value="455"`) || !strings.Contains(tp, "vendor/chartjs/chart.umd.min") ||
			!strings.Contains(tp, `<table class="lab-table" id="trend-table">`) || strings.Contains(tp, "13457-7\"") {
			t.Fatalf("trend page: %d\n%s", r.StatusCode, tp)
		}
		// Acknowledged: off the clinician's list of critical values.
		if r, body := testkit.Do(t, dc, s.NewRequest(t, "POST", "/staff/results/"+reportID+"/acknowledge", url.Values{})); r.StatusCode != 200 || !strings.Contains(body, "No critical values wait for you") {
			t.Fatalf("acknowledge: %d", r.StatusCode)
		}
	})
}

// TestLabResultsAccessMatrix: every kind of person against a patient's
// released report, its trend and their list: own, a proxy with the clinical
// scope, a proxy without it, another patient, every staff role, a
// clinician with and without a care relationship, another tenant. A denial
// is the same 404 page as a missing record, as that person sees it. Both
// engines.
func TestLabResultsAccessMatrix(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		patient := s.NewPerson(t, access.RolePatient)
		doc := s.NewPerson(t, access.RoleClinician)
		giveCare(t, s, s.Tenant, doc.ID, patient.ID)
		testkit.Do(t, s.ClientAs(t, doc), s.NewRequest(t, "POST", "/staff/results", lipidForm(patient.Email, "120", true)))
		_, list := testkit.Do(t, s.ClientAs(t, patient), s.NewRequest(t, "GET", "/account/results", nil))
		m := reportLink.FindStringSubmatch(list)
		if m == nil {
			t.Fatalf("no released report:\n%s", list)
		}
		reportID := m[1]
		_, page := testkit.Do(t, s.ClientAs(t, patient), s.NewRequest(t, "GET", "/account/results/"+reportID, nil))
		trend := trendLink.FindString(page)

		carer := s.NewPerson(t, access.RolePatient)      // clinical records shared
		ordersOnly := s.NewPerson(t, access.RolePatient) // orders shared, not results
		pctx := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		if err := s.Services().Grants.GrantProxy(pctx, carer.Email, []string{"clinical"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Services().Grants.GrantProxy(pctx, ordersOnly.Email, []string{"orders"}); err != nil {
			t.Fatal(err)
		}
		other := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Clinic", Hostnames: []string{"other.test"},
			Theme: tenant.DefaultTheme, CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
		if err := store.NewTenants(s.Stores.Catalog).Create(ctx, other); err != nil {
			t.Fatal(err)
		}
		if err := s.Tenants().Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		type who struct {
			name string
			p    testkit.Person
			sees bool
			host string // the tenant's host name the person asks at; empty: the default tenant
		}
		people := []who{{"patient", patient, true, ""}, {"proxy with clinical", carer, true, ""},
			{"proxy without clinical", ordersOnly, false, ""}, {"other patient", s.NewPerson(t, access.RolePatient), false, ""}}
		for _, r := range access.Roles {
			if r.Staff() {
				people = append(people, who{string(r), s.NewPerson(t, r), false, ""})
			}
		}
		// A session of another tenant does not sign anyone in here (the
		// security matrix: it is sent to sign in, like anyone unknown).
		people = append(people, who{"clinician with care", doc, false, ""})
		for _, w := range people {
			c := s.ClientAs(t, w.p)
			at := func(path string) *http.Request {
				req := s.NewRequest(t, "GET", path, nil)
				req.Host = w.host
				return req
			}
			_, plain := testkit.Do(t, c, at("/no/such/page"))
			for _, path := range []string{"/account/results/" + reportID, trend, "/account/results?for=" + patient.ID} {
				r, body := testkit.Do(t, c, at(path))
				switch {
				case w.sees && (r.StatusCode != 200 || !strings.Contains(body, "/account/results/"+reportID)):
					t.Errorf("%s on %s: %d, want the results", w.name, path, r.StatusCode)
				case !w.sees && (r.StatusCode != 404 || strip(body) != strip(plain)):
					t.Errorf("%s on %s: %d, want the plain 404 (%s)", w.name, path, r.StatusCode, r.Header.Get("Location"))
				}
			}
		}
		// Another tenant's people, acting in their tenant: the report is not
		// there (NotFound); acting on this tenant's id: denied. Both are the
		// one 404.
		svc := s.Services().Labs
		for _, role := range []access.Role{access.RolePatient, access.RoleClinician} {
			foreign := s.NewPersonIn(t, other, role)
			fctx := access.WithActor(ctx, access.Actor{ID: foreign.ID, Role: role, TenantID: other.ID})
			if _, err := svc.Get(fctx, other.ID, reportID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s of another tenant, in theirs: %v", role, err)
			}
			if _, err := svc.Get(fctx, s.Tenant.ID, reportID); !apperr.Is(err, apperr.Denied) {
				t.Errorf("%s of another tenant, in this one: %v", role, err)
			}
			if _, _, _, err := svc.List(fctx, s.Tenant.ID, patient.ID, 10); !apperr.Is(err, apperr.Denied) {
				t.Errorf("%s of another tenant, the list: %v", role, err)
			}
		}
		// Staff read results on their own pages: a clinician with a care
		// relationship sees the report through the widget's source, and
		// one without it gets the denial (the widget is left out).
		src := s.PortalSources()[portal.WidgetLabs]
		dctx := access.WithActor(ctx, access.Actor{ID: doc.ID, Role: access.RoleClinician, TenantID: s.Tenant.ID})
		if sum, err := src.Summary(dctx, s.Tenant.ID, patient.ID); err != nil || sum.Total != 1 {
			t.Fatalf("clinician with care: %+v %v", sum, err)
		}
		other2 := s.NewPerson(t, access.RoleClinician)
		octx := access.WithActor(ctx, access.Actor{ID: other2.ID, Role: access.RoleClinician, TenantID: s.Tenant.ID})
		if _, err := src.Summary(octx, s.Tenant.ID, patient.ID); err == nil {
			t.Fatal("a clinician without care read the results widget")
		}
		// Another clinician cannot release or acknowledge what is not theirs.
		oc := s.ClientAs(t, other2)
		_, plain := testkit.Do(t, oc, s.NewRequest(t, "GET", "/no/such/page", nil))
		for _, step := range []string{"release", "acknowledge"} {
			if r, body := testkit.Do(t, oc, s.NewRequest(t, "POST", "/staff/results/"+reportID+"/"+step, url.Values{})); r.StatusCode != 404 || strip(body) != strip(plain) {
				t.Errorf("another clinician's %s: %d", step, r.StatusCode)
			}
		}
	})
}

// TestLabWidgetSource: the widget shows the newest released reports (at
// most portal.MaxLines), the count of all and of new ones, flags as
// badges, with one audited vault access for all rows.
func TestLabWidgetSource(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		patient := s.NewPerson(t, access.RolePatient)
		doc := s.NewPerson(t, access.RoleClinician)
		giveCare(t, s, s.Tenant, doc.ID, patient.ID)
		dctx := access.WithActor(ctx, access.Actor{ID: doc.ID, Role: access.RoleClinician, TenantID: s.Tenant.ID})
		for i := range 7 {
			v := 5.0 + float64(i)/2
			if _, err := s.Services().Labs.Enter(dctx, s.Tenant.ID, labs.Entry{PatientID: patient.ID, Panel: "HbA1c", Release: true,
				CollectedAt: s.Clock.Now().AddDate(0, -7+i, 0), Observations: []labs.Observation{{LOINC: "4548-4", Name: "Hemoglobin A1c",
					Value: v, Unit: "%", Range: labs.Range{High: ptr(5.6)}}}}); err != nil {
				t.Fatal(err)
			}
			s.Clock.Advance(time.Minute)
		}
		pctx := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		before := eventsOf(t, s, patient.ID)
		sum, err := s.PortalSources()[portal.WidgetLabs].Summary(pctx, s.Tenant.ID, patient.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Total != 7 || len(sum.Lines) != portal.MaxLines || sum.Note != "7 new" || sum.Lines[0].Badge != "New · High" ||
			sum.Lines[0].Tone != portal.ToneWarn || !strings.HasPrefix(sum.Lines[0].Href, "/account/results/") {
			t.Fatalf("summary %+v", sum)
		}
		after := eventsOf(t, s, patient.ID)
		if len(after) != len(before)+1 || countAction(after, "lab_report.list")-countAction(before, "lab_report.list") != 1 {
			t.Fatalf("want one audited access for all rows, got %d more events", len(after)-len(before))
		}
		// The widget decodes only what its lines show: they are what the
		// whole reports (List) give, also once one is seen and with a
		// critical value.
		sameAsList := func() {
			t.Helper()
			sum, err := s.PortalSources()[portal.WidgetLabs].Summary(pctx, s.Tenant.ID, patient.ID)
			if err != nil {
				t.Fatal(err)
			}
			reps, total, _, err := s.Services().Labs.List(pctx, s.Tenant.ID, patient.ID, portal.MaxLines)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Total != total || len(sum.Lines) != len(reps) {
				t.Fatalf("summary %+v, list of %d (total %d)", sum, len(reps), total)
			}
			for i, r := range reps {
				badge, tone := labs.Badge(r)
				l := sum.Lines[i]
				if l.Title != r.Panel || l.Detail != "Collected "+r.CollectedAt.Format("2 Jan 2006") || l.Href != "/account/results/"+r.ID ||
					l.Badge != badge || l.Tone != tone {
					t.Fatalf("line %d %+v, report %+v badge %q", i, l, r, badge)
				}
			}
		}
		sameAsList()
		if _, err := s.Services().Labs.Get(pctx, s.Tenant.ID, strings.TrimPrefix(sum.Lines[1].Href, "/account/results/")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Services().Labs.Enter(dctx, s.Tenant.ID, labs.Entry{PatientID: patient.ID, Panel: "Potassium", Release: true,
			CollectedAt: s.Clock.Now(), Observations: []labs.Observation{{LOINC: "2823-3", Name: "Potassium",
				Value: 7.1, Unit: "mmol/L", Range: labs.Range{Low: ptr(3.5), High: ptr(5.1)}, Critical: labs.Range{Low: ptr(2.5), High: ptr(6.5)}}}}); err != nil {
			t.Fatal(err)
		}
		sameAsList()
		sum, err = s.PortalSources()[portal.WidgetLabs].Summary(pctx, s.Tenant.ID, patient.ID)
		if err != nil || sum.Lines[0].Badge != "New · Critical" || sum.Lines[2].Badge != "High" {
			t.Fatalf("summary %+v, %v", sum, err)
		}
		// Another patient: the same NotFound-class denial as a missing record.
		stranger := s.NewPerson(t, access.RolePatient)
		sctx := access.WithActor(ctx, access.Actor{ID: stranger.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		if _, err := s.PortalSources()[portal.WidgetLabs].Summary(sctx, s.Tenant.ID, patient.ID); err == nil {
			t.Fatal("another patient read the widget")
		}
	})
}

func ptr(v float64) *float64 { return &v }

// TestLabAutoRelease: a tenant's delay releases held reports through the
// scheduler's job; without a delay they wait for a clinician. Only an admin
// sets the delay.
func TestLabAutoRelease(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		patient := s.NewPerson(t, access.RolePatient)
		doc := s.NewPerson(t, access.RoleClinician)
		giveCare(t, s, s.Tenant, doc.ID, patient.ID)
		svc := s.Services().Labs
		dctx := access.WithActor(ctx, access.Actor{ID: doc.ID, Role: access.RoleClinician, TenantID: s.Tenant.ID})
		if err := svc.SetReleaseDelay(dctx, s.Tenant.ID, time.Hour); err == nil {
			t.Fatal("a clinician set the tenant's delay")
		}
		actx := access.WithActor(ctx, access.Actor{ID: "admin", Role: access.RoleAdmin, TenantID: s.Tenant.ID})
		if err := svc.SetReleaseDelay(actx, s.Tenant.ID, -time.Hour); err == nil {
			t.Fatal("a negative delay was taken")
		}
		entry := func() string {
			rid, err := svc.Enter(dctx, s.Tenant.ID, labs.Entry{PatientID: patient.ID, Panel: "HbA1c", CollectedAt: s.Clock.Now(),
				Observations: []labs.Observation{{LOINC: "4548-4", Name: "Hemoglobin A1c", Value: 5.2, Unit: "%"}}})
			if err != nil {
				t.Fatal(err)
			}
			return rid
		}
		waits := entry() // no delay set: waits for a clinician
		if err := svc.SetReleaseDelay(actx, s.Tenant.ID, 48*time.Hour); err != nil {
			t.Fatal(err)
		}
		timed := entry()
		pctx := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		s.Clock.Advance(47 * time.Hour)
		if n, err := svc.ReleaseDue(ctx); err != nil || n != 0 {
			t.Fatalf("released early: %d %v", n, err)
		}
		s.Clock.Advance(2 * time.Hour)
		if n, err := svc.ReleaseDue(ctx); err != nil || n != 1 {
			t.Fatalf("release due: %d %v", n, err)
		}
		if _, err := svc.Get(pctx, s.Tenant.ID, timed); err != nil {
			t.Fatalf("the timed report is not released: %v", err)
		}
		if _, err := svc.Get(pctx, s.Tenant.ID, waits); err == nil {
			t.Fatal("a report entered without a delay was released")
		}
		if n, err := svc.ReleaseDue(ctx); err != nil || n != 0 {
			t.Fatalf("released twice: %d %v", n, err)
		}
	})
}

// TestFHIRBundleImport: POST /api/v1/fhir/Bundle as a clinician: a good
// bundle stores its reports (held); a malformed one answers a JSON problem
// naming line, column and field, and stores nothing (all or nothing, a
// patient without a care relationship included). Both engines.
func TestFHIRBundleImport(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		patient := s.NewPerson(t, access.RolePatient)
		stranger := s.NewPerson(t, access.RolePatient)
		doc := s.NewPerson(t, access.RoleClinician)
		giveCare(t, s, s.Tenant, doc.ID, patient.ID)
		raw, err := os.ReadFile("../labs/testdata/lipid_bundle.json")
		if err != nil {
			t.Fatal(err)
		}
		good := strings.ReplaceAll(string(raw), "PATIENT_ID", patient.ID)
		c := s.ClientAs(t, doc)
		send := func(body string) (*http.Response, string) {
			req, _ := http.NewRequest("POST", s.URL+"/api/v1/fhir/Bundle", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/fhir+json")
			req.Header.Set("Origin", s.URL) // a program with a session cookie says where it is from
			return testkit.Do(t, c, req)
		}
		// Two reports, the second for a patient the clinician does not care
		// for: refused as a whole.
		two := strings.Replace(good, `"entry": [`, `"entry": [
    {"resource": {"resourceType": "DiagnosticReport", "status": "final", "code": {"text": "HbA1c"}, "subject": {"reference": "Patient/`+stranger.ID+`"},
      "effectiveDateTime": "2026-03-01", "result": [{"reference": "Observation/a1c"}]}},
    {"resource": {"resourceType": "Observation", "id": "a1c", "status": "final", "code": {"coding": [{"system": "http://loinc.org", "code": "4548-4"}], "text": "HbA1c"},
      "valueQuantity": {"value": 6.1, "system": "http://unitsofmeasure.org", "code": "%"}}},`, 1)
		if r, body := send(two); r.StatusCode != 404 || countReports(t, s) != 0 {
			t.Fatalf("a bundle with another clinician's patient: %d %s (%d stored)", r.StatusCode, body, countReports(t, s))
		}
		broken := strings.Replace(good, `"code": "mg/dL"},
        "referenceRange": [{"low"`, `"code": "mmHg"},
        "referenceRange": [{"low"`, 1)
		r, body := send(broken)
		if r.StatusCode != 400 || !strings.Contains(r.Header.Get("Content-Type"), "json") || !strings.Contains(body, "entry[2].resource.valueQuantity.code") ||
			!strings.Contains(body, "line 31:") || countReports(t, s) != 0 {
			t.Fatalf("unknown unit: %d %s\n%s", r.StatusCode, r.Header.Get("Content-Type"), body)
		}
		if r, body := send(good[:200]); r.StatusCode != 400 || !strings.Contains(body, "line ") || countReports(t, s) != 0 {
			t.Fatalf("truncated: %d %s", r.StatusCode, body)
		}
		r, body = send(good)
		if r.StatusCode != 201 || !regexp.MustCompile(`"reports":\["[0-9a-f-]{36}"\]`).MatchString(body) || countReports(t, s) != 1 {
			t.Fatalf("good bundle: %d %s", r.StatusCode, body)
		}
		// A patient cannot import.
		pr, _ := http.NewRequest("POST", s.URL+"/api/v1/fhir/Bundle", strings.NewReader(good))
		pr.Header.Set("Origin", s.URL)
		if r, _ := testkit.Do(t, s.ClientAs(t, patient), pr); r.StatusCode != 404 {
			t.Fatalf("a patient imported: %d", r.StatusCode)
		}
	})
}

// eventsOf returns the audit events recorded about a subject.
func eventsOf(t testing.TB, s *testkit.Server, subject string) []audit.Record {
	t.Helper()
	recs, err := s.AuditLog().Find(context.Background(), audit.Query{TenantID: s.Tenant.ID, Subject: subject, Limit: 5000})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func countAction(recs []audit.Record, action string) int {
	n := 0
	for _, r := range recs {
		if r.Action == action && r.Outcome == audit.Allowed {
			n++
		}
	}
	return n
}
