package portal_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestProfileForm (issue 16): a patient's bad submit answers with an error
// on each wrong field, keeps everything typed and saves nothing; a good one
// saves every field, shown again on the next visit; a staff member's
// profile has none of the patient's fields and still saves.
func TestProfileForm(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		patient := s.NewPerson(t, access.RolePatient)
		c := s.ClientAs(t, patient)
		form := url.Values{"name": {"Pat Doe"}, "phone": {"555 0100"}, "dob": {"1980-04-23"}, "preferred": {"Main Street Pharmacy"},
			"insurance_payer": {""}, "insurance_member_id": {"MEM-123"}, "emergency_name": {"Sam Doe"}, "emergency_phone": {"call me"},
			"emergency_relation": {"brother"}, "allergies": {"penicillin; latex"}}
		r, body := testkit.Do(t, c, s.NewRequest(t, "POST", "/account/profile", form))
		if r.StatusCode != 422 && r.StatusCode != 400 {
			t.Fatalf("bad submit: %d", r.StatusCode)
		}
		for _, want := range []string{"Enter the name of your health plan as well.", "Use digits, spaces and",
			`value="MEM-123"`, "penicillin; latex", `id="f-emergency_phone-error"`, `value="call me"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the bad submit's page lacks %q", want)
			}
		}
		_, page := testkit.Do(t, c, s.NewRequest(t, "GET", "/account/profile", nil))
		if strings.Contains(page, "MEM-123") || strings.Contains(page, "penicillin") {
			t.Fatal("a bad submit saved something")
		}
		form.Set("insurance_payer", "Acme Health")
		form.Set("emergency_phone", "555 0199")
		form.Set("reminders", "on")
		if r, body := testkit.Do(t, c, s.NewRequest(t, "POST", "/account/profile", form)); r.StatusCode != 200 || !strings.Contains(body, "Your profile was saved.") {
			t.Fatalf("good submit: %d", r.StatusCode)
		}
		_, page = testkit.Do(t, c, s.NewRequest(t, "GET", "/account/profile", nil))
		for _, want := range []string{`value="Acme Health"`, `value="MEM-123"`, `value="555 0199"`, "penicillin; latex", `value="Main Street Pharmacy"`,
			`name="reminders" type="checkbox" value="on" checked`} {
			if !strings.Contains(page, want) {
				t.Errorf("the saved profile lacks %q", want)
			}
		}
		// Unticked: reminders off, shown so.
		form.Del("reminders")
		testkit.Do(t, c, s.NewRequest(t, "POST", "/account/profile", form))
		if _, page = testkit.Do(t, c, s.NewRequest(t, "GET", "/account/profile", nil)); strings.Contains(page, `value="on" checked`) {
			t.Error("reminders still on after unticking")
		}

		staff := s.NewPerson(t, access.RolePharmacist)
		sc := s.ClientAs(t, staff)
		_, page = testkit.Do(t, sc, s.NewRequest(t, "GET", "/account/profile", nil))
		if strings.Contains(page, "insurance_payer") || strings.Contains(page, "Allergies") {
			t.Error("a staff member's profile offers the patient's fields")
		}
		if r, body := testkit.Do(t, sc, s.NewRequest(t, "POST", "/account/profile", url.Values{"name": {"Rx Person"}})); r.StatusCode != 200 ||
			!strings.Contains(body, "Your profile was saved.") {
			t.Errorf("staff profile save: %d", r.StatusCode)
		}
	})
}
