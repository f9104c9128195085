package appointments_test

import (
	"context"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/appointments"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestReminderRespectsPreference (issue 16): of two patients booked for the
// same morning, the one who turned email reminders off in their profile
// gets no reminder; the other gets theirs.
func TestReminderRespectsPreference(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		f := newFixture(t, e, 2)
		quiet, loud := f.patients[0], f.patients[1]
		if err := f.en.Accounts.UpdateProfile(f.as(quiet), accounts.Profile{Name: "Pat Patient", Details: &accounts.Details{RemindersOff: true}}); err != nil {
			t.Fatal(err)
		}
		_, slots, err := f.svc.Slots(f.as(quiet), f.tid, f.typ.ID)
		if err != nil {
			t.Fatal(err)
		}
		var later []appointments.Slot
		for _, sl := range slots {
			if sl.Start.After(f.en.Clock.Now().Add(48 * time.Hour)) {
				later = append(later, sl)
			}
		}
		if len(later) < 2 || later[1].Start.Sub(later[0].Start) > time.Hour {
			// Both must fall in the same reminder window, or the test
			// could not tell a skipped reminder from one not yet due.
			t.Fatalf("%d slots two days ahead, not back to back", len(later))
		}
		for i, who := range []string{quiet, loud} {
			if _, err := f.svc.Book(f.as(who), f.tid, who, appointments.Booking{TypeID: f.typ.ID, ClinicianID: f.doc, LocationID: f.loc.ID,
				Start: later[i].Start}); err != nil {
				t.Fatal(err)
			}
		}
		f.en.Clock.Set(later[0].Start.Add(-20 * time.Hour))
		if n, err := f.svc.SendReminders(context.Background(), 10); err != nil || n != 1 {
			t.Fatalf("reminders: %d %v, want only the one who wants them", n, err)
		}
	})
}
