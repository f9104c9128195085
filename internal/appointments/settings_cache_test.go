package appointments_test

import (
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/appointments"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestListKeepsTenantSettings: the patient's list reads the tenant's
// locations and cancellation window once per process, not on every view
// (two statements fewer a dashboard view), and a change made through the
// service shows on the next view; a move or cancellation still reads the
// window afresh.
func TestListKeepsTenantSettings(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		f := newFixture(t, e, 1)
		pat := f.patients[0]
		me := f.as(pat)
		_, slots, err := f.svc.Slots(me, f.tid, f.typ.ID)
		if err != nil || len(slots) < 13 {
			t.Fatalf("slots: %d %v", len(slots), err)
		}
		// Wednesday at 9:00 in New York, 48 hours ahead of the clock.
		slot := slots[12]
		if _, err := f.svc.Book(me, f.tid, pat, appointments.Booking{TypeID: f.typ.ID, ClinicianID: f.doc, LocationID: f.loc.ID, Start: slot.Start}); err != nil {
			t.Fatal(err)
		}
		list := func() (appointments.Appointment, uint64) {
			t.Helper()
			before := f.en.Stores.PHI.Statements()
			up, _, err := f.svc.ForPatient(me, f.tid, pat)
			if err != nil || len(up) != 1 {
				t.Fatalf("list: %d upcoming, %v", len(up), err)
			}
			return up[0], f.en.Stores.PHI.Statements() - before
		}
		first, cold := list()
		if first.Location.Name != "Main Street" || !first.Changeable {
			t.Fatalf("first view: location %q, changeable %v", first.Location.Name, first.Changeable)
		}
		again, warm := list()
		if warm != cold-2 || again.Location != first.Location {
			t.Errorf("statements: %d on the first view, %d on the second (want two fewer); location %v", cold, warm, again.Location)
		}
		// A wider window than the 48 hours to go: the next view says it
		// can no longer be changed.
		if err := f.svc.SetCancelWindow(f.mgrCtx, f.tid, "72"); err != nil {
			t.Fatal(err)
		}
		if a, _ := list(); a.Changeable {
			t.Error("a changed window is not shown on the next view")
		}
		// A location added clears the copy too (the list names the
		// appointment's own location either way).
		if _, err := f.svc.AddLocation(f.mgrCtx, f.tid, "Annex", "2 Side Street, Springfield", "America/Chicago"); err != nil {
			t.Fatal(err)
		}
		if _, n := list(); n != cold {
			t.Errorf("after a new location: %d statements, want %d (read afresh)", n, cold)
		}
		// Enforcement reads afresh: a window set straight in the store
		// (as another replica would) is kept from the list for a while,
		// but a cancellation obeys it at once.
		if err := f.st.SetCancelWindow(f.mgrCtx, f.tid, 96*time.Hour); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetCancelWindow(f.mgrCtx, f.tid, "1"); err != nil {
			t.Fatal(err)
		}
		if a, _ := list(); !a.Changeable {
			t.Fatal("a 1-hour window: the appointment 48 hours ahead should be changeable")
		}
		if err := f.st.SetCancelWindow(f.mgrCtx, f.tid, 96*time.Hour); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Cancel(me, f.tid, pat, first.ID); err == nil {
			t.Error("a cancellation inside the window stored in the store was allowed")
		}
	})
}
