package accounting

import (
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/clock"
)

// TestWhoAndWhat: each actor is named as the patient knows them, and each
// event says what was done.
func TestWhoAndWhat(t *testing.T) {
	names := map[string]string{"rx1": "Ana Rivera", "carer": "Sam Doe"}
	rec := func(actor string, role access.Role, action, resource string, out audit.Outcome) audit.Record {
		return audit.Record{Entry: audit.Entry{ActorID: actor, ActorRole: role, Action: action, ResourceType: resource, Outcome: out}}
	}
	for _, c := range []struct {
		r         audit.Record
		viewer    string
		who, what string
	}{
		{rec("me", access.RolePatient, "rx.list", "prescription", audit.Allowed), "me", "You", "Viewed prescriptions"},
		{rec("rx1", access.RolePharmacist, "rx.read", "prescription", audit.Allowed), "me", "Pharmacist Ana Rivera", "Viewed prescriptions"},
		{rec("cs9", access.RoleCustomerService, "order.update", "order", audit.Allowed), "me", "Customer service", "Changed orders"},
		{rec("carer", access.RolePatient, "lab_report.list", "lab_report", audit.Allowed), "me", "Your proxy Sam Doe", "Viewed lab results"},
		{rec("carer", access.RolePatient, "access_log.view", "access_log", audit.Allowed), "carer", "You (as proxy)", "Viewed access history"},
		{rec("me", access.RolePatient, "access_log.view", "access_log", audit.Allowed), "carer", "The patient", "Viewed access history"},
		{rec("system:records.purge", access.RoleSystem, "records.export.delete", "record_export", audit.Allowed), "me", "Salve (automatic)", "Deleted a copy of your record"},
		{rec("doc", access.RoleClinician, "clinical.read", "patient", audit.Denied), "me", "Clinician", "Was refused access to record"},
		{rec("me", access.RolePatient, "records.export.download", "record_export", audit.Allowed), "me", "You", "Downloaded a copy of the record"},
	} {
		if got := who(c.r, "me", c.viewer, names); got != c.who {
			t.Errorf("who(%s as %s) = %q, want %q", c.r.ActorID, c.viewer, got, c.who)
		}
		if got := what(c.r); got != c.what {
			t.Errorf("what(%s) = %q, want %q", c.r.Action, got, c.what)
		}
	}
}

// TestCSVDefusesFormulas: a cell a spreadsheet would run is quoted.
func TestCSVDefusesFormulas(t *testing.T) {
	b, err := CSV([]Disclosure{{At: time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), RecordedByName: "Ana",
		Details: Details{Recipient: "=cmd|'/c calc'!A1", Purpose: "+1", Sent: "-2 @x"}}})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || lines[1] != `2026-03-04,'=cmd|'/c calc'!A1,'+1,'-2 @x,Ana` {
		t.Fatalf("CSV:\n%s", b)
	}
}

// TestDisclosureInputChecked: every field is required and bounded, the
// date a past day within six years; each problem names its field.
func TestDisclosureInputChecked(t *testing.T) {
	s := New(Deps{Clock: clock.NewFake(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))})
	ok := Details{Recipient: "Quest Lab", Purpose: "Lab testing", Sent: "Name and tests"}
	for _, c := range []struct {
		in    DisclosureInput
		field string
	}{
		{DisclosureInput{Details: Details{Purpose: "x", Sent: "y"}}, "recipient"},
		{DisclosureInput{Details: Details{Recipient: "a\nb", Purpose: "x", Sent: "y"}}, "recipient"},
		{DisclosureInput{Details: Details{Recipient: "a", Purpose: strings.Repeat("p", 301), Sent: "y"}}, "purpose"},
		{DisclosureInput{Details: Details{Recipient: "a", Purpose: "x"}}, "sent"},
		{DisclosureInput{Date: "2026-12-09", Details: ok}, "date"},
		{DisclosureInput{Date: "2019-01-01", Details: ok}, "date"},
		{DisclosureInput{Date: "7/12/2026", Details: ok}, "date"},
	} {
		_, _, err := s.check(c.in)
		if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || e.Fields[c.field] == "" {
			t.Errorf("%+v: %v, want an error on %s", c.in, err, c.field)
		}
	}
	at, det, err := s.check(DisclosureInput{Date: "2026-12-01", Details: Details{Recipient: " Quest Lab ", Purpose: "Lab testing", Sent: "Name\nand tests"}})
	if err != nil || !at.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) || det.Recipient != "Quest Lab" {
		t.Fatalf("a good disclosure: %v %v %+v", err, at, det)
	}
}
