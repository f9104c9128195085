package activity_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/activity"
	"github.com/salvehealth/salve/internal/audit"
)

// monday10 is a Monday at 10:00 UTC, inside working hours.
var monday10 = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

func read(actor string, role access.Role, at time.Time, subjects ...string) audit.Record {
	return audit.Record{Entry: audit.Entry{Time: at, ActorID: actor, ActorRole: role, Action: "order.view", Subjects: subjects, Outcome: audit.Allowed}}
}

func only(t *testing.T, fs []activity.Finding, rule activity.Rule) []activity.Finding {
	t.Helper()
	var out []activity.Finding
	for _, f := range fs {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

// TestManyPatientsAgainstPeersOfTheRole: a customer-service account that
// opened 30 patients while its peers opened 5 each is flagged, with the
// peers' median and the window of its events; the peers are not, nor is a
// pharmacist (another role) with 30.
func TestManyPatientsAgainstPeersOfTheRole(t *testing.T) {
	var recs []audit.Record
	for i := range 30 {
		recs = append(recs, read("cs-big", access.RoleCustomerService, monday10.Add(time.Duration(i)*time.Minute), fmt.Sprintf("p%d", i)))
		recs = append(recs, read("rx-1", access.RolePharmacist, monday10.Add(time.Duration(i)*time.Minute), fmt.Sprintf("p%d", i)))
		recs = append(recs, read("rx-2", access.RolePharmacist, monday10.Add(time.Duration(i)*time.Minute), fmt.Sprintf("p%d", i)))
	}
	for _, a := range []string{"cs-1", "cs-2", "cs-3"} {
		for i := range 5 {
			recs = append(recs, read(a, access.RoleCustomerService, monday10, fmt.Sprintf("p%d", i)))
		}
	}
	fs := only(t, activity.Analyze(recs, activity.Options{}), activity.ManyPatients)
	if len(fs) != 1 || fs[0].ActorID != "cs-big" || fs[0].Count != 30 || fs[0].PeerMedian != 5 {
		t.Fatalf("findings: %+v", fs)
	}
	if !fs[0].From.Equal(monday10) || !fs[0].To.After(monday10.Add(29*time.Minute)) {
		t.Errorf("window: %v–%v", fs[0].From, fs[0].To)
	}
}

// TestOffHoursAccess: reads at 22:00 and on a Saturday are flagged; one at
// 10:00 on a Monday is not; a patient reading their own record at night is
// no finding.
func TestOffHoursAccess(t *testing.T) {
	recs := []audit.Record{
		read("doc", access.RoleClinician, monday10, "p1"),
		read("doc", access.RoleClinician, monday10.Add(12*time.Hour), "p1"),
		read("doc", access.RoleClinician, monday10.Add(-48*time.Hour), "p2"),
		read("pat", access.RolePatient, monday10.Add(13*time.Hour), "pat"),
		read("day", access.RoleClinician, monday10.Add(time.Hour), "p1"),
	}
	fs := only(t, activity.Analyze(recs, activity.Options{}), activity.OffHours)
	if len(fs) != 1 || fs[0].ActorID != "doc" || fs[0].Count != 2 {
		t.Fatalf("findings: %+v", fs)
	}
	// In New York, 22:00 UTC on a Monday is 17:00: working hours.
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone data")
	}
	fs = only(t, activity.Analyze(recs[1:2], activity.Options{Zone: ny}), activity.OffHours)
	if len(fs) != 0 {
		t.Fatalf("New York working hours: %+v", fs)
	}
}

// TestColleagueRecord: a pharmacist opening the patient record of a
// colleague (a staff member who is also a patient) is flagged; the
// colleague opening their own is not.
func TestColleagueRecord(t *testing.T) {
	opts := activity.Options{Colleagues: map[string]string{"nurse-as-patient": "nurse-staff"}}
	recs := []audit.Record{
		read("rx-1", access.RolePharmacist, monday10, "nurse-as-patient"),
		read("rx-1", access.RolePharmacist, monday10.Add(time.Minute), "nurse-as-patient", "p2"),
		read("nurse-staff", access.RoleClinician, monday10, "nurse-as-patient"),
		read("rx-1", access.RolePharmacist, monday10, "p3"),
	}
	fs := only(t, activity.Analyze(recs, opts), activity.Colleague)
	if len(fs) != 1 || fs[0].ActorID != "rx-1" || fs[0].Subject != "nurse-as-patient" || fs[0].Count != 2 {
		t.Fatalf("findings: %+v", fs)
	}
}

// TestRepeatedDenials: five denials make a finding, four do not; system
// jobs are left out.
func TestRepeatedDenials(t *testing.T) {
	var recs []audit.Record
	deny := func(actor string, n int) {
		for i := range n {
			recs = append(recs, audit.Record{Entry: audit.Entry{Time: monday10.Add(time.Duration(i) * time.Second), ActorID: actor,
				ActorRole: access.RoleFulfillment, Action: "order.view", Outcome: audit.Denied}})
		}
	}
	deny("probing", 5)
	deny("clumsy", 4)
	deny("system:job", 9)
	fs := only(t, activity.Analyze(recs, activity.Options{}), activity.Denials)
	if len(fs) != 1 || fs[0].ActorID != "probing" || fs[0].Count != 5 {
		t.Fatalf("findings: %+v", fs)
	}
}

// TestBreakGlassUse: every break-glass start is a finding, with the hour
// after it as its window.
func TestBreakGlassUse(t *testing.T) {
	recs := []audit.Record{
		{Entry: audit.Entry{Time: monday10, ActorID: "doc", ActorRole: access.RoleClinician, Action: "break_glass.start", Subjects: []string{"p1"}, Outcome: audit.Allowed}},
		{Entry: audit.Entry{Time: monday10, ActorID: "doc", ActorRole: access.RoleClinician, Action: "break_glass.start", Subjects: []string{"p2"}, Outcome: audit.Denied}},
	}
	fs := only(t, activity.Analyze(recs, activity.Options{}), activity.BreakGlass)
	if len(fs) != 1 || fs[0].ActorID != "doc" || !fs[0].To.Equal(monday10.Add(time.Hour)) {
		t.Fatalf("findings: %+v", fs)
	}
}
