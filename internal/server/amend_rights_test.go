package server_test

// Patient rights (issue 16 parts 5 and 7): amendments (164.526) and
// marketing authorizations (164.508), through the real HTTP server on both
// engines.

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/amend"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/marketing"
	"github.com/salvehealth/salve/internal/rx"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// hba1c enters and releases an HbA1c report for a patient, as their
// clinician; value above 5.7 is flagged high.
func hba1c(t testing.TB, s *testkit.Server, clinicianID, patientID string, value float64) *labs.Report {
	t.Helper()
	ctx := access.WithActor(context.Background(), access.Actor{ID: clinicianID, Role: access.RoleClinician, TenantID: s.Tenant.ID})
	high := 5.7
	rid, err := s.Services().Labs.Enter(ctx, s.Tenant.ID, labs.Entry{PatientID: patientID, ClinicianID: clinicianID, Panel: "Glycated haemoglobin",
		CollectedAt: s.Clock.Now().Add(-24 * time.Hour), Release: true,
		Observations: []labs.Observation{{LOINC: "4548-4", Name: "Hemoglobin A1c", Value: value, Unit: "%", Range: labs.Range{High: &high}}}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Services().Labs.Get(ctx, s.Tenant.ID, rid)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

var amendmentLink = regexp.MustCompile(`^/account/amendments/([0-9a-f-]{36})\?done=requested$`)

// requestCorrection asks for a correction of a report's first observation
// through the page, and returns the request's id.
func requestCorrection(t testing.TB, s *testkit.Server, p testkit.Person, rep *labs.Report, proposed string) string {
	t.Helper()
	r, _ := testkit.Do(t, s.ClientAs(t, p), s.NewRequest(t, "POST", "/account/amendments", url.Values{"kind": {"lab_result"},
		"record": {rep.ID}, "field": {rep.Observations[0].ID}, "proposed": {proposed}, "reason": {"The sample was taken after a sugary drink."}}))
	m := amendmentLink.FindStringSubmatch(r.Header.Get("Location"))
	if r.StatusCode != 303 || m == nil {
		t.Fatalf("request a correction: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	return m[1]
}

func countRowsOf(t testing.TB, s *testkit.Server, table string) int {
	t.Helper()
	var n int
	if err := s.Stores.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func hasAction(recs []audit.Record, action string) bool {
	for _, r := range recs {
		if r.Action == action {
			return true
		}
	}
	return false
}

func auditOf(t testing.TB, s *testkit.Server, subject string) []audit.Record {
	t.Helper()
	recs, err := s.Stores.AuditLog.Find(context.Background(), audit.Query{TenantID: s.Tenant.ID, Subject: subject, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestAmendmentClock: a request is due 60 days after it was made; staff
// may extend it once by 30 days with a reason (a second time is refused
// with a clear message and changes nothing); past its due date it shows as
// overdue on the compliance officer's page (which shows no text), on the
// clinician's queue too. Bad input is named per field and stores nothing.
// Both engines.
func TestAmendmentClock(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		patient := s.NewPerson(t, access.RolePatient)
		doc := s.NewPerson(t, access.RoleClinician)
		compliance := s.NewPerson(t, access.RoleCompliance)
		giveCare(t, s, s.Tenant, doc.ID, patient.ID)
		rep := hba1c(t, s, doc.ID, patient.ID, 8.1)
		pc, dc, cc := s.ClientAs(t, patient), s.ClientAs(t, doc), s.ClientAs(t, compliance)

		// The record's page offers the correction; the form names each part.
		_, body := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/results/"+rep.ID, nil))
		if !strings.Contains(body, "/account/amendments/new?kind=lab_result&amp;record="+rep.ID) {
			t.Fatal("the result page offers no correction")
		}
		r, body := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/amendments/new?kind=lab_result&record="+rep.ID, nil))
		if r.StatusCode != 200 || !strings.Contains(body, "Hemoglobin A1c: 8.1 %") {
			t.Fatalf("the form: %d", r.StatusCode)
		}
		// Bad input: no part chosen, nothing proposed; kept and named.
		r, body = testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/amendments", url.Values{"kind": {"lab_result"}, "record": {rep.ID},
			"reason": {"Typed reason stays"}}))
		if r.StatusCode == 303 || !strings.Contains(body, "Choose what is wrong.") || !strings.Contains(body, "Say what it should say.") ||
			!strings.Contains(body, "Typed reason stays") {
			t.Fatalf("bad input: %d, want both fields named and the reason kept", r.StatusCode)
		}
		if n := countRowsOf(t, s, "amendments"); n != 0 {
			t.Fatalf("bad input stored %d requests", n)
		}

		first := requestCorrection(t, s, patient, rep, "6.1 %")
		second := requestCorrection(t, s, patient, rep, "5.9 %")
		_, body = testkit.Do(t, dc, s.NewRequest(t, "GET", "/staff/amendments", nil))
		if strings.Count(body, "/staff/amendments/") != 2 || strings.Contains(body, "Overdue") {
			t.Fatalf("the clinician's queue lists %d requests", strings.Count(body, "/staff/amendments/"))
		}

		// One extension with a reason; the second is refused.
		r, body = testkit.Do(t, dc, s.NewRequest(t, "POST", "/staff/amendments/"+first+"/extend", url.Values{}))
		if r.StatusCode == 303 || !strings.Contains(body, "Give the reason for the delay") {
			t.Fatalf("an extension without a reason: %d", r.StatusCode)
		}
		r, _ = testkit.Do(t, dc, s.NewRequest(t, "POST", "/staff/amendments/"+first+"/extend", url.Values{"extension_reason": {"Waiting for the laboratory's own records."}}))
		if r.StatusCode != 303 {
			t.Fatalf("extend: %d", r.StatusCode)
		}
		me := access.WithActor(context.Background(), access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		a, err := s.Services().Amendments.Get(me, s.Tenant.ID, first)
		if err != nil || !a.Extended || !a.DueAt.Equal(a.RequestedAt.Add(amend.Deadline+amend.Extension)) {
			t.Fatalf("after the extension: %+v %v, want due 90 days after the request", a, err)
		}
		r, body = testkit.Do(t, dc, s.NewRequest(t, "POST", "/staff/amendments/"+first+"/extend", url.Values{"extension_reason": {"Still waiting."}}))
		if r.StatusCode == 303 || !strings.Contains(body, "extended once already") {
			t.Fatalf("a second extension: %d, want it refused with a clear message", r.StatusCode)
		}
		if b, _ := s.Services().Amendments.Get(me, s.Tenant.ID, first); !b.DueAt.Equal(a.DueAt) || b.ExtensionReason != "Waiting for the laboratory's own records." {
			t.Fatal("the refused extension changed the request")
		}
		_, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/amendments/"+first, nil))
		if !strings.Contains(body, "Waiting for the laboratory&#39;s own records.") {
			t.Error("the patient does not read why it takes longer")
		}

		// Nothing overdue yet; 61 days after the second request it is.
		_, body = testkit.Do(t, cc, s.NewRequest(t, "GET", "/admin/compliance/amendments", nil))
		if !strings.Contains(body, "None is overdue.") {
			t.Fatal("the clock shows something overdue on day 1")
		}
		s.Clock.Advance(61 * 24 * time.Hour)
		// Sessions lapse over 61 days: the same roles sign in afresh (a
		// new clinician caring for the patient, a new compliance officer).
		cc = s.ClientAs(t, s.NewPerson(t, access.RoleCompliance))
		doc2 := s.NewPerson(t, access.RoleClinician)
		giveCare(t, s, s.Tenant, doc2.ID, patient.ID)
		dc = s.ClientAs(t, doc2)
		r, body = testkit.Do(t, cc, s.NewRequest(t, "GET", "/admin/compliance/amendments", nil))
		if r.StatusCode != 200 || !strings.Contains(body, "1 overdue") || strings.Count(body, ">Overdue<") != 1 {
			t.Fatalf("the compliance clock after 61 days: %d, want exactly the unextended request overdue", r.StatusCode)
		}
		for _, secret := range []string{"6.1 %", "5.9 %", "sugary", "Hemoglobin", patient.Email} {
			if strings.Contains(body, secret) {
				t.Errorf("the compliance clock shows %q", secret)
			}
		}
		_, body = testkit.Do(t, dc, s.NewRequest(t, "GET", "/staff/amendments", nil))
		if strings.Count(body, ">Overdue<") != 1 || !strings.Contains(body, "/staff/amendments/"+second) {
			t.Error("the clinician's queue does not mark the overdue request")
		}
		if !hasAction(auditOf(t, s, patient.ID), "amendment.request") || !hasAction(auditOf(t, s, patient.ID), "amendment.extend") {
			t.Error("the request and the extension are not in the audit log")
		}
	})
}

// TestAmendmentDecisionsTravelWithTheRecord: an accepted correction shows
// on the record's page in place of the old value, the old value kept
// beside it (the history); a denial gives its reason, the patient files a
// statement of disagreement (once), and it then shows on the record's page
// for the patient and on the staff page of any request about the record.
// Deciding twice is refused. Both engines.
func TestAmendmentDecisionsTravelWithTheRecord(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		patient := s.NewPerson(t, access.RolePatient)
		doc := s.NewPerson(t, access.RoleClinician)
		giveCare(t, s, s.Tenant, doc.ID, patient.ID)
		rep := hba1c(t, s, doc.ID, patient.ID, 8.1)
		pc, dc := s.ClientAs(t, patient), s.ClientAs(t, doc)

		accepted := requestCorrection(t, s, patient, rep, "6.1 %")
		denied := requestCorrection(t, s, patient, rep, "4.0 %")
		if r, _ := testkit.Do(t, dc, s.NewRequest(t, "POST", "/staff/amendments/"+accepted+"/accept", url.Values{"note": {"Re-run confirmed 6.1."}})); r.StatusCode != 303 {
			t.Fatalf("accept: %d", r.StatusCode)
		}
		r, body := testkit.Do(t, dc, s.NewRequest(t, "POST", "/staff/amendments/"+accepted+"/deny", url.Values{"reason": {"Changed my mind"}}))
		if r.StatusCode == 303 || !strings.Contains(body, "changed meanwhile") {
			t.Fatalf("deciding twice: %d, want a conflict", r.StatusCode)
		}
		r, body = testkit.Do(t, dc, s.NewRequest(t, "POST", "/staff/amendments/"+denied+"/deny", url.Values{}))
		if r.StatusCode == 303 || !strings.Contains(body, "Give the reason the patient will read.") {
			t.Fatalf("a denial without a reason: %d", r.StatusCode)
		}
		if r, _ := testkit.Do(t, dc, s.NewRequest(t, "POST", "/staff/amendments/"+denied+"/deny", url.Values{"reason": {"The laboratory confirmed the value."}})); r.StatusCode != 303 {
			t.Fatalf("deny: %d", r.StatusCode)
		}

		// The accepted correction, in place and with the old value.
		_, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/results/"+rep.ID, nil))
		if !strings.Contains(body, "<strong>6.1 %</strong> <span class=\"badge\">Corrected</span> <span class=\"muted\">(was 8.1 %)</span>") ||
			!strings.Contains(body, "it now reads <strong>6.1 %</strong>; it read 8.1 % before") {
			t.Fatal("the result page does not show the accepted correction beside the old value")
		}
		// The stored report reads the correction; the old value is the
		// amendment history's (TestAcceptedCorrectionChangesTheRecord).
		me := access.WithActor(context.Background(), access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		if again, err := s.Services().Labs.Get(me, s.Tenant.ID, rep.ID); err != nil || again.Observations[0].Value != 6.1 {
			t.Fatalf("the correction is not in the record: %v", err)
		}

		// The denial: the reason, then a statement of disagreement, once.
		_, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/amendments/"+denied, nil))
		if !strings.Contains(body, "The laboratory confirmed the value.") || !strings.Contains(body, "/account/amendments/"+denied+"/disagree") {
			t.Fatal("the patient does not read the denial or cannot disagree")
		}
		r, body = testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/amendments/"+denied+"/disagree", url.Values{"statement": {"  "}}))
		if r.StatusCode == 303 || !strings.Contains(body, "Write your statement.") {
			t.Fatalf("an empty statement: %d", r.StatusCode)
		}
		statement := "I had eaten just before; my own meter read 6.0 that morning."
		if r, _ := testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/amendments/"+denied+"/disagree", url.Values{"statement": {statement}})); r.StatusCode != 303 {
			t.Fatalf("disagree: %d", r.StatusCode)
		}
		r, body = testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/amendments/"+denied+"/disagree", url.Values{"statement": {"again"}}))
		if r.StatusCode == 303 || !strings.Contains(body, "on file already") {
			t.Fatalf("a second statement: %d", r.StatusCode)
		}
		want := "I had eaten just before; my own meter read 6.0 that morning."
		_, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/results/"+rep.ID, nil))
		if !strings.Contains(body, "Statement of disagreement") || !strings.Contains(body, want) {
			t.Error("the statement does not travel with the record for the patient")
		}
		// Staff: a new request about the same record shows what travels.
		third := requestCorrection(t, s, patient, rep, "5.5 %")
		_, body = testkit.Do(t, dc, s.NewRequest(t, "GET", "/staff/amendments/"+third, nil))
		if !strings.Contains(body, want) || !strings.Contains(body, "it now reads <strong>6.1 %</strong>") {
			t.Error("the statement and the correction do not travel with the record for staff")
		}
		// …and on the staff view of the patient, under the lab results.
		_, body = testkit.Do(t, dc, s.NewRequest(t, "GET", "/staff/patients/"+patient.ID, nil))
		if !strings.Contains(body, "Corrected: Hemoglobin A1c") || !strings.Contains(body, "Now 6.1 % (was 8.1 %)") || !strings.Contains(body, want) {
			t.Error("the staff view of the patient does not show what travels with the record")
		}
		// The patient is told by email, with no content: two decisions, two
		// emails, each naming only the brand and the request's page.
		items, err := s.Services().Outbox.Recent(access.WithActor(context.Background(), access.System("test", s.Tenant.ID)), s.Tenant.ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		var told int
		for _, it := range items {
			if it.Kind != "amendment_answered" || !strings.EqualFold(it.To.Reveal(), patient.Email) {
				continue
			}
			told++
			text := it.Subject + it.Text.Reveal()
			for _, leak := range []string{"6.1", "4.0", "8.1", "Hemoglobin", "laboratory", "Glycated", "sugary"} {
				if strings.Contains(text, leak) {
					t.Errorf("the email carries %q", leak)
				}
			}
			if !strings.Contains(text, "/account/amendments/") {
				t.Error("the email has no link to the request")
			}
		}
		if told != 2 {
			t.Errorf("%d emails to the patient, want one per decision (2)", told)
		}
		recs := auditOf(t, s, patient.ID)
		for _, a := range []string{"amendment.request", "amendment.accept", "amendment.deny", "amendment.disagree", "amendment.history"} {
			if !hasAction(recs, a) {
				t.Errorf("no %s in the audit log", a)
			}
		}
	})
}

// TestAmendmentObjectsAnswerLikeAbsence: a patient's request and the form
// for their record, as every kind of person: the owner and a proxy with the
// clinical class reach them; another patient, a proxy with only orders,
// another tenant's patient get exactly the plain 404 and store nothing. On
// the staff side the clinician caring for the patient decides; a clinician
// without care and a pharmacist (lab results are not their class) get the
// plain 404 and change nothing.
func TestAmendmentObjectsAnswerLikeAbsence(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	ctx := context.Background()
	other := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Clinic", Hostnames: []string{"other.test"},
		Theme: tenant.DefaultTheme, CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
	if err := store.NewTenants(s.Stores.Catalog).Create(ctx, other); err != nil {
		t.Fatal(err)
	}
	if err := s.Tenants().Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	patient := s.NewPerson(t, access.RolePatient)
	doc := s.NewPerson(t, access.RoleClinician)
	giveCare(t, s, s.Tenant, doc.ID, patient.ID)
	rep := hba1c(t, s, doc.ID, patient.ID, 8.1)
	aid := requestCorrection(t, s, patient, rep, "6.1 %")
	people := map[string]testkit.Person{"other patient": s.NewPerson(t, access.RolePatient),
		"other tenant's patient": s.NewPersonIn(t, other, access.RolePatient)}
	for name, scopes := range map[string][]string{"proxy with clinical": {"clinical"}, "proxy with orders": {"orders"}} {
		carer := s.NewPerson(t, access.RolePatient)
		if err := s.Services().Grants.GrantProxy(access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID}),
			carer.Email, scopes); err != nil {
			t.Fatal(err)
		}
		people[name] = carer
	}
	s.Services().After.Wait()
	before := countRowsOf(t, s, "amendments")
	for name, p := range people {
		c := s.ClientAs(t, p)
		_, notFound := get(t, c, s.NewRequest(t, "GET", "/no/such/page", nil))
		reqs := map[string]func() (int, string){
			"GET request": func() (int, string) {
				r, b := get(t, c, s.NewRequest(t, "GET", "/account/amendments/"+aid, nil))
				return r.StatusCode, b
			},
			"GET form": func() (int, string) {
				r, b := get(t, c, s.NewRequest(t, "GET", "/account/amendments/new?kind=lab_result&record="+rep.ID, nil))
				return r.StatusCode, b
			},
			"POST request": func() (int, string) {
				r, b := get(t, c, s.NewRequest(t, "POST", "/account/amendments", url.Values{"kind": {"lab_result"}, "record": {rep.ID},
					"field": {rep.Observations[0].ID}, "proposed": {"1"}, "reason": {"x"}}))
				return r.StatusCode, b
			},
		}
		for what, do := range reqs {
			code, body := do()
			switch {
			case name == "proxy with clinical":
				if code != 200 && code != 303 {
					t.Errorf("%s × %s: %d, want it reached", what, name, code)
				}
			case p.TenantID == other.ID:
				// Another tenant's session is no session here.
				if code != 303 && code != 403 {
					t.Errorf("%s × %s: %d", what, name, code)
				}
			default:
				if code != 404 || strip(body) != strip(notFound) {
					t.Errorf("%s × %s: %d, or a body unlike the plain 404", what, name, code)
				}
			}
		}
	}
	if n := countRowsOf(t, s, "amendments"); n != before+1 {
		t.Errorf("%d requests stored; only the proxy with the clinical class may add one", n-before)
	}
	// Staff.
	staffPeople := map[string]testkit.Person{"clinician without care": s.NewPerson(t, access.RoleClinician),
		"pharmacist": s.NewPerson(t, access.RolePharmacist)}
	for name, p := range staffPeople {
		c := s.ClientAs(t, p)
		_, notFound := get(t, c, s.NewRequest(t, "GET", "/no/such/page", nil))
		for _, rq := range []struct{ method, path string }{{"GET", "/staff/amendments/" + aid}, {"POST", "/staff/amendments/" + aid + "/accept"},
			{"POST", "/staff/amendments/" + aid + "/extend"}} {
			var form url.Values
			if rq.method == "POST" {
				form = url.Values{"extension_reason": {"x"}}
			}
			r, body := get(t, c, s.NewRequest(t, rq.method, rq.path, form))
			if r.StatusCode != 404 || strip(body) != strip(notFound) {
				t.Errorf("%s %s × %s: %d, want the plain 404", rq.method, rq.path, name, r.StatusCode)
			}
		}
		_, body := get(t, c, s.NewRequest(t, "GET", "/staff/amendments", nil))
		if strings.Contains(body, aid) {
			t.Errorf("%s's queue lists the request", name)
		}
	}
	me := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
	if a, err := s.Services().Amendments.Get(me, s.Tenant.ID, aid); err != nil || a.Status != amend.Requested || a.Extended {
		t.Fatalf("the request changed under other people's requests: %v", err)
	}
	// The patient cannot decide their own request, even by the service.
	if _, err := s.Services().Amendments.Decide(me, s.Tenant.ID, aid, amend.Decision{Accept: true}); err == nil {
		t.Error("a patient accepted their own correction")
	}
	r, _ := get(t, s.ClientAs(t, doc), s.NewRequest(t, "GET", "/staff/amendments/"+aid, nil))
	if r.StatusCode != 200 {
		t.Errorf("the caring clinician: %d", r.StatusCode)
	}
}

// grantHealthOffers signs the health-offers authorization for a patient,
// as the patient.
func grantHealthOffers(t testing.TB, s *testkit.Server, p testkit.Person) {
	t.Helper()
	me := access.WithActor(context.Background(), access.Actor{ID: p.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
	if err := s.Services().Marketing.Grant(me, s.Tenant.ID, p.ID, marketing.Grant{Purpose: marketing.HealthOffers, Name: "Pat Doe",
		SignedOn: s.Clock.Now().UTC().Format(time.DateOnly), Assent: true}); err != nil {
		t.Fatal(err)
	}
}

// targetedPromotion makes a promotion for patients with a high HbA1c, as a
// store manager through the page.
func targetedPromotion(t testing.TB, s *testkit.Server, manager testkit.Person, code string) {
	t.Helper()
	r, body := testkit.Do(t, s.ClientAs(t, manager), s.NewRequest(t, "POST", "/admin/catalog/promotions", url.Values{"code": {code},
		"kind": {"percent"}, "value": {"20"}, "starts": {s.Clock.Now().Add(-24 * time.Hour).Format(time.DateOnly)},
		"target_kind": {"lab_high"}, "target_code": {"4548-4"}}))
	if r.StatusCode != 303 {
		t.Fatalf("create the targeted promotion: %d %s", r.StatusCode, body)
	}
}

// TestRevokedAuthorizationRemovesTargetedOffer: a promotion targeted at
// patients whose HbA1c is high is shown on the dashboard only while the
// patient has a current signed authorization: not before signing (bad
// input signs nothing), shown after, gone on the very next page view after
// revoking. Grant and revocation are audited. Both engines.
func TestRevokedAuthorizationRemovesTargetedOffer(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		patient := s.NewPerson(t, access.RolePatient)
		doc := s.NewPerson(t, access.RoleClinician)
		giveCare(t, s, s.Tenant, doc.ID, patient.ID)
		hba1c(t, s, doc.ID, patient.ID, 8.1)
		targetedPromotion(t, s, s.NewPerson(t, access.RoleStoreManager), "STRIPS20")
		pc := s.ClientAs(t, patient)
		offer := "Use code STRIPS20"

		if _, body := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account", nil)); strings.Contains(body, offer) {
			t.Fatal("the targeted offer shows without an authorization")
		}
		today := s.Clock.Now().UTC().Format(time.DateOnly)
		r, body := testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/privacy", url.Values{"purpose": {marketing.HealthOffers},
			"name": {"Pat Doe"}, "signed_on": {today}}))
		if r.StatusCode == 303 || !strings.Contains(body, "Tick the box to say you agree") || !strings.Contains(body, `value="Pat Doe"`) {
			t.Fatalf("signing without assent: %d, want the assent named and the name kept", r.StatusCode)
		}
		if n := countRowsOf(t, s, "marketing_authorizations"); n != 0 {
			t.Fatalf("bad input stored %d authorizations", n)
		}
		r, _ = testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/privacy", url.Values{"purpose": {marketing.HealthOffers},
			"name": {"Pat Doe"}, "signed_on": {today}, "assent": {"yes"}}))
		if r.StatusCode != 303 {
			t.Fatalf("sign: %d", r.StatusCode)
		}
		_, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account", nil))
		if !strings.Contains(body, offer) {
			t.Fatal("the targeted offer does not show with a current authorization")
		}
		_, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/privacy", nil))
		m := regexp.MustCompile(`/account/privacy/([0-9a-f-]{36})/revoke`).FindStringSubmatch(body)
		if m == nil || !strings.Contains(body, "Signed by Pat Doe on "+today) {
			t.Fatal("the privacy page shows no current signed authorization")
		}
		// Another patient cannot revoke it: the plain 404.
		other := s.NewPerson(t, access.RolePatient)
		oc := s.ClientAs(t, other)
		_, notFound := get(t, oc, s.NewRequest(t, "GET", "/no/such/page", nil))
		if r, body := testkit.Do(t, oc, s.NewRequest(t, "POST", "/account/privacy/"+m[1]+"/revoke", url.Values{})); r.StatusCode != 404 || strip(body) != strip(notFound) {
			t.Fatalf("another patient revoking: %d", r.StatusCode)
		}
		if r, _ := testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/privacy/"+m[1]+"/revoke", url.Values{})); r.StatusCode != 303 {
			t.Fatalf("revoke: %d", r.StatusCode)
		}
		if _, body := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account", nil)); strings.Contains(body, offer) {
			t.Fatal("the targeted offer still shows on the next page view after revoking")
		}
		recs := auditOf(t, s, patient.ID)
		if !hasAction(recs, "marketing_authorization.grant") || !hasAction(recs, "marketing_authorization.revoke") {
			t.Error("grant and revocation are not both audited")
		}
		if !hasAction(recs, "marketing.offer") {
			t.Error("the use of health data for the offer is not audited")
		}
	})
}

// TestPromotionReachCountsWithoutNames: a store manager sees how many
// patients a targeted promotion may reach (a current authorization and
// matching data), never who, and no count below 10. Both engines.
func TestPromotionReachCountsWithoutNames(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		doc := s.NewPerson(t, access.RoleClinician)
		manager := s.NewPerson(t, access.RoleStoreManager)
		targetedPromotion(t, s, manager, "STRIPS20")
		var matching []testkit.Person
		for i := range 12 {
			p := s.NewPerson(t, access.RolePatient)
			giveCare(t, s, s.Tenant, doc.ID, p.ID)
			switch {
			case i < 10: // authorized, high: counted
				hba1c(t, s, doc.ID, p.ID, 8.1)
				grantHealthOffers(t, s, p)
				matching = append(matching, p)
			case i == 10: // authorized, normal: not counted
				hba1c(t, s, doc.ID, p.ID, 5.1)
				grantHealthOffers(t, s, p)
			default: // high, not authorized: not counted
				hba1c(t, s, doc.ID, p.ID, 9.0)
			}
		}
		mc := s.ClientAs(t, manager)
		_, body := testkit.Do(t, mc, s.NewRequest(t, "GET", "/admin/catalog/promotions", nil))
		m := regexp.MustCompile(`/admin/catalog/promotions/([0-9a-f-]{36})/reach`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("the promotions page offers no reach count")
		}
		r, body := testkit.Do(t, mc, s.NewRequest(t, "GET", m[0], nil))
		if r.StatusCode != 200 || !strings.Contains(body, "It may reach <strong>10</strong> people.") {
			t.Fatalf("reach: %d, want 10", r.StatusCode)
		}
		for _, p := range matching {
			if strings.Contains(body, p.Email) || strings.Contains(body, p.ID) {
				t.Fatal("the reach page names a patient")
			}
		}
		// One revokes: 9 is below the threshold and withheld.
		me := access.WithActor(context.Background(), access.Actor{ID: matching[0].ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		entries, err := s.Services().Marketing.Page(me, s.Tenant.ID, matching[0].ID)
		if err != nil || entries[0].Current == nil {
			t.Fatalf("privacy page: %v", err)
		}
		if err := s.Services().Marketing.Revoke(me, s.Tenant.ID, matching[0].ID, entries[0].Current.ID); err != nil {
			t.Fatal(err)
		}
		_, body = testkit.Do(t, mc, s.NewRequest(t, "GET", m[0], nil))
		if !strings.Contains(body, "fewer than 10") || strings.Contains(body, "<strong>9</strong>") {
			t.Fatal("a count below 10 is shown")
		}
		// Clinicians and patients never reach the count.
		for _, p := range []testkit.Person{doc, matching[1]} {
			if r, _ := testkit.Do(t, s.ClientAs(t, p), s.NewRequest(t, "GET", m[0], nil)); r.StatusCode != 404 {
				t.Errorf("%s on the reach page: %d", p.Role, r.StatusCode)
			}
		}
	})
}

// TestPrescriptionCorrectionIsThePharmacists: a verified prescription
// offers a correction on the patient's page; the pharmacist (whose class
// prescriptions are) decides it, a clinician caring for the patient does
// not (the plain 404, not in their queue), and the accepted correction
// shows on the prescriptions page. Both engines.
func TestPrescriptionCorrectionIsThePharmacists(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		patient := s.NewPerson(t, access.RolePatient)
		pharmacist := s.NewPerson(t, access.RolePharmacist)
		doc := s.NewPerson(t, access.RoleClinician)
		giveCare(t, s, s.Tenant, doc.ID, patient.ID)
		me := access.WithActor(context.Background(), access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		ph := access.WithActor(context.Background(), access.Actor{ID: pharmacist.ID, Role: access.RolePharmacist, TenantID: s.Tenant.ID})
		prod := &catalog.Product{Name: "Metformin 500 mg", RequiresPrescription: true,
			Variants: []catalog.Variant{{SKU: "MET-" + id.New()[24:], Price: 900, Stock: 10}}}
		if err := s.Catalog().SaveProduct(context.Background(), s.Tenant.ID, prod); err != nil {
			t.Fatal(err)
		}
		p, err := s.Services().Rx.Submit(me, s.Tenant.ID, patient.ID, rx.Submission{File: []byte("%PDF-1.4\n%%EOF\n")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Services().Rx.Decide(ph, s.Tenant.ID, p.ID, rx.Verification{Version: 1, Drug: "Metformin", Strength: "500 mg",
			Quantity: 60, Refills: 2, Prescriber: "Dr Ana Rivera", IssuedOn: "2026-11-01", ExpiresOn: "2027-11-01", DaysSupply: 30, VariantID: prod.Variants[0].ID}); err != nil {
			t.Fatal(err)
		}
		pc := s.ClientAs(t, patient)
		_, body := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/prescriptions", nil))
		if !strings.Contains(body, "/account/amendments/new?kind=prescription&amp;record="+p.ID) {
			t.Fatal("the prescriptions page offers no correction")
		}
		r, _ := testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/amendments", url.Values{"kind": {"prescription"}, "record": {p.ID},
			"field": {"strength"}, "proposed": {"850 mg"}, "reason": {"My prescriber wrote 850 mg."}}))
		m := amendmentLink.FindStringSubmatch(r.Header.Get("Location"))
		if m == nil {
			t.Fatalf("request: %d", r.StatusCode)
		}
		dc := s.ClientAs(t, doc)
		_, notFound := get(t, dc, s.NewRequest(t, "GET", "/no/such/page", nil))
		if r, body := testkit.Do(t, dc, s.NewRequest(t, "POST", "/staff/amendments/"+m[1]+"/accept", url.Values{})); r.StatusCode != 404 || strip(body) != strip(notFound) {
			t.Fatalf("the clinician accepting a prescription correction: %d", r.StatusCode)
		}
		if _, body := testkit.Do(t, dc, s.NewRequest(t, "GET", "/staff/amendments", nil)); strings.Contains(body, m[1]) {
			t.Fatal("the clinician's queue lists a prescription correction")
		}
		rc := s.ClientAs(t, pharmacist)
		if _, body := testkit.Do(t, rc, s.NewRequest(t, "GET", "/staff/amendments", nil)); !strings.Contains(body, "/staff/amendments/"+m[1]) {
			t.Fatal("the pharmacist's queue does not list it")
		}
		if r, _ := testkit.Do(t, rc, s.NewRequest(t, "POST", "/staff/amendments/"+m[1]+"/accept", url.Values{})); r.StatusCode != 303 {
			t.Fatalf("the pharmacist accepting: %d", r.StatusCode)
		}
		_, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/prescriptions", nil))
		if !strings.Contains(body, "it now reads <strong>850 mg</strong>; it read 500 mg before") {
			t.Error("the prescriptions page does not show the correction")
		}
	})
}
