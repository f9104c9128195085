package server_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestSisterBrandPages: a patient of brand A shares clinical records and
// contact details (and orders) with the sister brand B. B's admin sees
// them, by id, at /admin/shared-care and assigns their care to a B
// clinician (refused like absence before the consent, and for the
// unrelated tenant C); the clinician then finds them at /staff/shared and
// opens the record read-only: contact and the clinical sections, not the
// orders (shared, but a clinician does not read orders). Without care (B's
// customer service), from C, or after the patient withdraws the consent
// (on the next request), the record is the 404. The views are audited in
// A. Both engines.
func TestSisterBrandPages(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		w := newBrandWorld(t, e)
		s := w.s
		ctx := context.Background()
		patient := s.NewPerson(t, access.RolePatient)
		clinB := s.NewPersonIn(t, w.b, access.RoleClinician)
		csB := s.NewPersonIn(t, w.b, access.RoleCustomerService)
		adminB := s.NewPersonIn(t, w.b, access.RoleAdmin)
		clinC := s.NewPersonIn(t, w.c, access.RoleClinician)
		adminC := s.NewPersonIn(t, w.c, access.RoleAdmin)
		record := "/staff/shared/" + w.a.ID + "/" + patient.ID
		assign := url.Values{"brand": {w.a.ID}, "patient": {patient.ID}, "staff": {clinB.ID}}

		// Before any consent: nothing listed, nothing assigned, nothing read.
		if code, body := w.at(t, w.b, adminB.Token, "", "GET", "/admin/shared-care", nil); code != 200 || !strings.Contains(body, "No patient of a sister brand") {
			t.Fatalf("the admin's empty page: %d\n%s", code, body)
		}
		if code, _ := w.at(t, w.b, adminB.Token, "", "POST", "/admin/shared-care", assign); code != 404 {
			t.Fatalf("care assigned without consent: %d, want 404", code)
		}
		if code, body := w.at(t, w.b, clinB.Token, "", "GET", "/staff/shared", nil); code != 200 || !strings.Contains(body, "No shared record is open to you") {
			t.Fatalf("the clinician's empty list: %d", code)
		}
		if code, _ := w.at(t, w.b, clinB.Token, "", "GET", record, nil); code != 404 {
			t.Fatalf("the record without consent: %d, want 404", code)
		}

		// The patient shares with B.
		pc := s.ClientAs(t, patient)
		if resp, _ := testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/sharing", url.Values{"brand": {w.b.ID}, "scopes": {"clinical", "contact", "orders"}})); resp.StatusCode != 303 {
			t.Fatalf("share: %d", resp.StatusCode)
		}
		code, body := w.at(t, w.b, adminB.Token, "", "GET", "/admin/shared-care", nil)
		if code != 200 || !strings.Contains(body, patient.ID) || !strings.Contains(body, "Clinical records") || !strings.Contains(body, clinB.Email) ||
			strings.Contains(body, patient.Email) {
			t.Fatalf("the admin's page after the consent: %d\n%s", code, body)
		}
		if code, _ := w.at(t, w.b, clinB.Token, "", "GET", record, nil); code != 404 {
			t.Fatalf("the record without care: %d, want 404", code)
		}
		if code, _ := w.at(t, w.c, adminC.Token, "", "POST", "/admin/shared-care", url.Values{"brand": {w.a.ID}, "patient": {patient.ID}, "staff": {clinC.ID}}); code != 404 {
			t.Fatalf("the unrelated tenant assigns care: %d, want 404", code)
		}
		if code, _ := w.at(t, w.b, clinB.Token, "", "POST", "/admin/shared-care", assign); code != 404 {
			t.Fatalf("a clinician assigns care: %d, want 404", code)
		}
		if code, body := w.at(t, w.b, adminB.Token, "", "POST", "/admin/shared-care", assign); code != 200 || !strings.Contains(body, "Care assigned") ||
			!strings.Contains(body, "Remove care") {
			t.Fatalf("assign care: %d\n%s", code, body)
		}

		// The clinician: the list, then the record, read-only.
		code, body = w.at(t, w.b, clinB.Token, "", "GET", "/staff/shared", nil)
		if code != 200 || !strings.Contains(body, record) || !strings.Contains(body, "Test Brand") && !strings.Contains(body, w.a.Name) {
			t.Fatalf("the clinician's list: %d\n%s", code, body)
		}
		code, body = w.at(t, w.b, clinB.Token, "", "GET", record, nil)
		if code != 200 || !strings.Contains(body, patient.Email) || !strings.Contains(body, "Appointments") || !strings.Contains(body, "Lab results") ||
			strings.Contains(body, "Open orders") || strings.Contains(body, "Past orders") || strings.Contains(body, "<form") && strings.Contains(body, "/staff/shared/") {
			t.Fatalf("the shared record: %d\n%s", code, body)
		}
		for name, c := range map[string]struct {
			token string
			at    int
		}{"B customer service (no care)": {csB.Token, 1}, "C clinician": {clinC.Token, 2}} {
			brand := w.b
			if c.at == 2 {
				brand = w.c
			}
			if code, _ := w.at(t, brand, c.token, "", "GET", record, nil); code != 404 {
				t.Errorf("%s opens the record: %d, want 404", name, code)
			}
		}
		if code, _ := w.at(t, w.b, clinB.Token, "", "GET", "/staff/shared/"+w.c.ID+"/"+patient.ID, nil); code != 404 {
			t.Errorf("the record under another organisation's brand: %d, want 404", code)
		}

		// Withdrawn: the next request is the 404, and the list is empty.
		_, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/sharing", nil))
		m := regexp.MustCompile(`/account/sharing/([^/]+)/revoke`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no share to withdraw:\n%s", body)
		}
		if resp, _ := testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/sharing/"+m[1]+"/revoke", nil)); resp.StatusCode != 200 {
			t.Fatalf("withdraw: %d", resp.StatusCode)
		}
		if code, _ := w.at(t, w.b, clinB.Token, "", "GET", record, nil); code != 404 {
			t.Fatalf("the record after the consent was withdrawn: %d, want 404", code)
		}
		if _, body := w.at(t, w.b, clinB.Token, "", "GET", "/staff/shared", nil); strings.Contains(body, record) {
			t.Fatal("the list shows a withdrawn share")
		}
		if _, body := w.at(t, w.b, adminB.Token, "", "GET", "/admin/shared-care", nil); strings.Contains(body, patient.ID) {
			t.Fatal("the admin's page shows a withdrawn share")
		}
		// Removing care needs no consent; removing it twice is the 404.
		if code, _ := w.at(t, w.b, adminB.Token, "", "POST", "/admin/shared-care/remove", assign); code != 200 {
			t.Fatalf("remove care: %d", code)
		}
		if code, _ := w.at(t, w.b, adminB.Token, "", "POST", "/admin/shared-care/remove", assign); code != 404 {
			t.Fatalf("remove care again: %d, want 404", code)
		}

		// Audited in the patient's brand: the view allowed, the later read denied.
		recs, err := s.AuditLog().Find(ctx, audit.Query{TenantID: w.a.ID, Subject: patient.ID, Limit: 5000})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, r := range recs {
			seen[r.Action+"/"+string(r.Outcome)]++
		}
		for _, want := range []string{"patient.view/" + string(audit.Allowed), "contact.read/" + string(audit.Denied)} {
			if seen[want] == 0 {
				t.Errorf("no %s in the patient's brand: %v", want, seen)
			}
		}
	})
}
