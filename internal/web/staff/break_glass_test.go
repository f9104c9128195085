package staff_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestBreakGlassAndItsReview is one journey across two surfaces: a
// clinician's emergency access here in web/staff, then compliance's review of
// it in web/admin.
func TestBreakGlassAndItsReview(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	patient := s.NewPerson(t, access.RolePatient)
	doc := s.NewPerson(t, access.RoleClinician)
	compliance := s.NewPerson(t, access.RoleCompliance)
	c := s.ClientAs(t, doc)
	reason := "Collapsed in the pharmacy, need allergy history"
	r, body := testkit.Do(t, c, s.NewRequest(t, "POST", "/staff/break-glass", url.Values{"email": {patient.Email}, "reason": {"short"}}))
	if r.StatusCode != 422 || !strings.Contains(body, "20 characters") {
		t.Fatalf("short reason: %d", r.StatusCode)
	}
	r, _ = testkit.Do(t, c, s.NewRequest(t, "POST", "/staff/break-glass", url.Values{"email": {"nobody@example.com"}, "reason": {reason}}))
	if r.StatusCode != 422 {
		t.Fatalf("unknown patient: %d", r.StatusCode)
	}
	r, body = testkit.Do(t, c, s.NewRequest(t, "POST", "/staff/break-glass", url.Values{"email": {patient.Email}, "reason": {reason}}))
	if r.StatusCode != 200 || !strings.Contains(body, "Emergency access granted") {
		t.Fatalf("break glass: %d\n%s", r.StatusCode, body)
	}
	// Ten minutes on, the second factor is no longer fresh.
	s.Clock.Advance(10 * time.Minute)
	r, body = testkit.Do(t, c, s.NewRequest(t, "POST", "/staff/break-glass", url.Values{"email": {patient.Email}, "reason": {reason}}))
	if r.StatusCode != 401 || !strings.Contains(body, "/account/reauth") {
		t.Fatalf("stale MFA: %d", r.StatusCode)
	}
	// The review queue shows the reason to compliance, who records a finding.
	cc := s.ClientAs(t, compliance)
	r, body = testkit.Do(t, cc, s.NewRequest(t, "GET", "/admin/break-glass", nil))
	m := regexp.MustCompile(`/admin/break-glass/([0-9a-f-]+)/review`).FindStringSubmatch(body)
	if r.StatusCode != 200 || !strings.Contains(body, "allergy history") || m == nil {
		t.Fatalf("review queue: %d\n%s", r.StatusCode, body)
	}
	// Names, not ids: compliance sees who broke the glass and whose record
	// it was (testkit names every person "Test Person"), never the raw ids.
	if strings.Count(body, "Test Person") < 2 || strings.Contains(body, doc.ID) || strings.Contains(body, patient.ID) {
		t.Fatalf("review queue shows ids, not names:\n%s", body)
	}
	// An admin sees the staff member's name but not the patient's (no PHI
	// by default).
	_, abody := testkit.Do(t, s.ClientAs(t, s.NewPerson(t, access.RoleAdmin)), s.NewRequest(t, "GET", "/admin/break-glass", nil))
	if !strings.Contains(abody, "name withheld from your role") || strings.Contains(abody, patient.ID) || !strings.Contains(abody, "Test Person") {
		t.Fatalf("admin's review queue:\n%s", abody)
	}
	r, body = testkit.Do(t, cc, s.NewRequest(t, "POST", "/admin/break-glass/"+m[1]+"/review", url.Values{"outcome": {"justified"}}))
	if r.StatusCode != 200 || !strings.Contains(body, "review was recorded") || strings.Contains(body, "/review\"") {
		t.Fatalf("review: %d", r.StatusCode)
	}
	// The reason is PHI: never in the log.
	if strings.Contains(s.Log.String(), "allergy") {
		t.Fatal("the break-glass reason reached the log")
	}
}
