package server_test

// Issue 16 part 5: a field of the profile (date of birth, allergies,
// insurance, …) is an amendable record like a lab result or a
// prescription. Both engines, the real HTTP server.

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// requestProfileCorrection asks for a correction of a profile field
// through the page, as c, and returns the status and the request's id.
func requestProfileCorrection(t testing.TB, s *testkit.Server, p testkit.Person, patientID, field, proposed string) (int, string) {
	t.Helper()
	r, _ := testkit.Do(t, s.ClientAs(t, p), s.NewRequest(t, "POST", "/account/amendments", url.Values{"kind": {"profile"},
		"record": {patientID}, "field": {field}, "proposed": {proposed}, "reason": {"The clinic copied it wrong."}}))
	if m := amendmentLink.FindStringSubmatch(r.Header.Get("Location")); m != nil {
		return r.StatusCode, m[1]
	}
	return r.StatusCode, ""
}

// TestProfileAmendment: the patient asks from their profile to correct
// their date of birth; customer service accepts (a value the profile
// cannot hold is refused on the field and changes nothing), the profile
// then reads the new date and its page shows the old one in the history;
// a second request (allergies) is denied with a reason, the patient files
// a statement of disagreement, and it travels with the profile. A proxy
// with the contact scope may ask; one with orders only, another patient,
// and anyone about a staff account get the 404 and store nothing; a
// clinician and a pharmacist neither list nor decide a profile request
// (the plain 404). Audited as user.profile.amend. Both engines.
func TestProfileAmendment(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		patient := s.NewPerson(t, access.RolePatient)
		cs := s.NewPerson(t, access.RoleCustomerService)
		doc := s.NewPerson(t, access.RoleClinician)
		giveCare(t, s, s.Tenant, doc.ID, patient.ID)
		pharmacist := s.NewPerson(t, access.RolePharmacist)
		me := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		if err := s.Services().Accounts.UpdateProfile(me, accounts.Profile{Name: "Pat Doe", DOB: "1980-04-23",
			Details: &accounts.Details{Allergies: "none known", InsurancePayer: "Acme Health", InsuranceMemberID: "AH-123"}}); err != nil {
			t.Fatal(err)
		}
		pc, sc := s.ClientAs(t, patient), s.ClientAs(t, cs)

		_, body := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/profile", nil))
		if !strings.Contains(body, `href="/account/amendments/new?kind=profile&amp;record=`+patient.ID+`" id="amend-profile"`) {
			t.Fatal("the profile page does not offer a correction")
		}
		r, body := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/amendments/new?kind=profile&record="+patient.ID, nil))
		if r.StatusCode != 200 || !strings.Contains(body, "Date of birth") || !strings.Contains(body, "1980-04-23") || !strings.Contains(body, "Allergies") {
			t.Fatalf("the form for the profile: %d", r.StatusCode)
		}
		code, dob := requestProfileCorrection(t, s, patient, patient.ID, "dob", "1980-04-24")
		if code != 303 || dob == "" {
			t.Fatalf("request: %d", code)
		}

		// The care team neither lists nor decides it (they may read it:
		// their roles read the contact class, as on the patient's page).
		for name, p := range map[string]testkit.Person{"clinician": doc, "pharmacist": pharmacist} {
			c := s.ClientAs(t, p)
			_, notFound := get(t, c, s.NewRequest(t, "GET", "/no/such/page", nil))
			for _, path := range []string{"/staff/amendments/" + dob + "/accept", "/staff/amendments/" + dob + "/deny", "/staff/amendments/" + dob + "/extend"} {
				r, body := get(t, c, s.NewRequest(t, "POST", path, url.Values{"reason": {"x"}, "extension_reason": {"x"}}))
				if r.StatusCode != 404 || strip(body) != strip(notFound) {
					t.Errorf("POST %s × %s: %d, want the plain 404", path, name, r.StatusCode)
				}
			}
			if _, body := get(t, c, s.NewRequest(t, "GET", "/staff/amendments", nil)); strings.Contains(body, dob) {
				t.Errorf("the %s's queue lists the profile request", name)
			}
		}
		if _, body := testkit.Do(t, sc, s.NewRequest(t, "GET", "/staff/amendments", nil)); !strings.Contains(body, dob) || !strings.Contains(body, "Profile") {
			t.Fatal("customer service's queue does not list the profile request")
		}

		// A date the profile cannot hold: refused on the field, nothing changes.
		r, body = testkit.Do(t, sc, s.NewRequest(t, "POST", "/staff/amendments/"+dob+"/accept", url.Values{"value": {"24 April"}}))
		if r.StatusCode == 303 || !strings.Contains(body, "Enter a real date, such as 1980-04-23.") {
			t.Fatalf("accepting a date that is none: %d", r.StatusCode)
		}
		if a, err := s.Services().Accounts.Account(me, s.Tenant.ID, patient.ID, access.PurposeSelf); err != nil || a.DOB.Reveal() != "1980-04-23" {
			t.Fatalf("a refused acceptance changed the profile: %v", err)
		}
		if r, _ := testkit.Do(t, sc, s.NewRequest(t, "POST", "/staff/amendments/"+dob+"/accept", url.Values{})); r.StatusCode != 303 {
			t.Fatalf("accept: %d", r.StatusCode)
		}
		a, err := s.Services().Accounts.Account(me, s.Tenant.ID, patient.ID, access.PurposeSelf)
		if err != nil || a.DOB.Reveal() != "1980-04-24" || a.Name.Reveal() != "Pat Doe" || a.Details.Allergies != "none known" || a.Details.InsuranceMemberID != "AH-123" {
			t.Fatalf("the profile after the correction: dob %q, %v", a.DOB.Reveal(), err)
		}
		_, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/profile", nil))
		if !strings.Contains(body, `value="1980-04-24"`) || !strings.Contains(body, "it now reads <strong>1980-04-24</strong>; it read 1980-04-23 before") {
			t.Fatal("the profile page does not show the corrected date with the old one in its history")
		}

		// Denied, then a statement of disagreement that travels.
		code, allergy := requestProfileCorrection(t, s, patient, patient.ID, "allergies", "penicillin")
		if code != 303 {
			t.Fatalf("second request: %d", code)
		}
		if r, _ := testkit.Do(t, sc, s.NewRequest(t, "POST", "/staff/amendments/"+allergy+"/deny", url.Values{"reason": {"Your pharmacist must confirm an allergy in person."}})); r.StatusCode != 303 {
			t.Fatalf("deny: %d", r.StatusCode)
		}
		statement := "I reacted to amoxicillin in 2019."
		if r, _ := testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/amendments/"+allergy+"/disagree", url.Values{"statement": {statement}})); r.StatusCode != 303 {
			t.Fatalf("disagree: %d", r.StatusCode)
		}
		_, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/profile", nil))
		if !strings.Contains(body, "Statement of disagreement") || !strings.Contains(body, statement) {
			t.Error("the statement does not travel with the profile")
		}
		if a, _ := s.Services().Accounts.Account(me, s.Tenant.ID, patient.ID, access.PurposeSelf); a.Details.Allergies != "none known" {
			t.Error("a denied request changed the profile")
		}
		// Customer service sees what travels on the next request.
		_, third := requestProfileCorrection(t, s, patient, patient.ID, "insurance_member_id", "AH-124")
		if _, body := testkit.Do(t, sc, s.NewRequest(t, "GET", "/staff/amendments/"+third, nil)); !strings.Contains(body, statement) {
			t.Error("the statement does not travel with the profile for staff")
		}

		// A proxy with the contact scope may ask; one without may not, and
		// nobody may ask about another patient's profile.
		withContact, withOrders, other := s.NewPerson(t, access.RolePatient), s.NewPerson(t, access.RolePatient), s.NewPerson(t, access.RolePatient)
		for p, scopes := range map[*testkit.Person][]string{&withContact: {"contact"}, &withOrders: {"orders"}} {
			if err := s.Services().Grants.GrantProxy(me, p.Email, scopes); err != nil {
				t.Fatal(err)
			}
		}
		s.Services().After.Wait()
		if code, id := requestProfileCorrection(t, s, withContact, patient.ID, "phone", "+1 555 0100"); code != 303 || id == "" {
			t.Errorf("the proxy with contact: %d", code)
		}
		before := countRowsOf(t, s, "amendments")
		for name, p := range map[string]testkit.Person{"proxy with orders": withOrders, "other patient": other} {
			if code, _ := requestProfileCorrection(t, s, p, patient.ID, "phone", "+1 555 0100"); code != 404 {
				t.Errorf("%s asking about the profile: %d, want 404", name, code)
			}
			if r, _ := testkit.Do(t, s.ClientAs(t, p), s.NewRequest(t, "GET", "/account/amendments/new?kind=profile&record="+patient.ID, nil)); r.StatusCode != 404 {
				t.Errorf("%s opening the form: %d, want 404", name, r.StatusCode)
			}
		}
		// A staff account's profile is no patient record.
		if code, _ := requestProfileCorrection(t, s, patient, cs.ID, "phone", "1"); code != 404 {
			t.Errorf("asking about a staff member's profile: %d", code)
		}
		if n := countRowsOf(t, s, "amendments"); n != before {
			t.Errorf("%d requests stored by people who may not ask", n-before)
		}
		if !hasAction(auditOf(t, s, patient.ID), "user.profile.amend") {
			t.Error("no user.profile.amend in the audit log")
		}
	})
}
