package appointments_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/appointments"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// fixture is the appointments service on fresh stores with a location in
// New York, a 30-minute in-person type, and a clinician who works there
// Monday to Friday, 9:00 to 12:00.
type fixture struct {
	en       *testkit.Identity
	svc      *appointments.Service
	st       *store.Appointments
	tid      string
	loc      appointments.Location
	typ      appointments.Type
	doc      string
	docCtx   context.Context
	mgrCtx   context.Context
	patients []string
}

func newFixture(t *testing.T, e store.Engine, patients int) *fixture {
	t.Helper()
	en := testkit.NewIdentity(t, e)
	ctx := context.Background()
	f := &fixture{en: en, tid: en.Tenant.ID, st: store.NewAppointments(en.Stores.PHI)}
	f.svc = appointments.New(appointments.Deps{Store: f.st, Vault: en.Stores.Vault, Grants: en.Grants, Care: en.Grants, Outbox: en.Outbox,
		Contacts: en.Accounts.Email, Reminders: en.Accounts.WantsReminders, Clock: en.Clock,
		Links: func(context.Context, string) (string, string) { return "Test Clinic", "https://clinic.test" }})
	mgr := en.CreateStaff(t, access.RoleStoreManager, "mgr@example.com")
	f.mgrCtx = access.WithActor(ctx, access.Actor{ID: mgr, Role: access.RoleStoreManager, TenantID: f.tid})
	f.doc = en.CreateStaff(t, access.RoleClinician, "doc@example.com")
	f.docCtx = access.WithActor(ctx, access.Actor{ID: f.doc, Role: access.RoleClinician, TenantID: f.tid})
	var err error
	if f.loc, err = f.svc.AddLocation(f.mgrCtx, f.tid, "Main Street", "1 Main Street, Springfield", "America/New_York"); err != nil {
		t.Fatal(err)
	}
	if f.typ, err = f.svc.AddType(f.mgrCtx, f.tid, appointments.TypeInput{Name: "Diabetes review", Duration: "30", Mode: "in_person", Price: "45"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetDisplayName(f.docCtx, f.tid, "Dr Rivera"); err != nil {
		t.Fatal(err)
	}
	for wd := 1; wd <= 5; wd++ {
		if err := f.svc.AddHours(f.docCtx, f.tid, f.loc.ID, fmt.Sprint(wd), "09:00", "12:00"); err != nil {
			t.Fatal(err)
		}
	}
	for i := range patients {
		uid, err := en.Accounts.CreateUser(ctx, f.tid, access.RolePatient, fmt.Sprintf("pat%d@example.com", i), "Pat Patient", testkit.PatientPassword)
		if err != nil {
			t.Fatal(err)
		}
		f.patients = append(f.patients, uid)
	}
	return f
}

func (f *fixture) as(uid string) context.Context {
	return access.WithActor(context.Background(), access.Actor{ID: uid, Role: access.RolePatient, TenantID: f.tid})
}

// at is a time on the wall clock in New York.
func at(y int, m time.Month, d, h, min int) time.Time {
	z, _ := time.LoadLocation("America/New_York")
	return time.Date(y, m, d, h, min, 0, 0, z)
}

func (f *fixture) count(t *testing.T) int {
	t.Helper()
	rows, err := f.st.Booked(context.Background(), f.tid, time.Time{}, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return len(rows)
}

// TestBookRescheduleCancel walks a patient's booking: the free slots in the
// location's zone, a booking sealed under the patient with the care
// relationship it creates and a confirmation email that carries no PHI,
// the bad inputs that change nothing, moving it, the cancellation window,
// the clinician's day, the reminder, and the widget.
func TestBookRescheduleCancel(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		f := newFixture(t, e, 2)
		pat, other := f.patients[0], f.patients[1]
		me := f.as(pat)
		// The fake clock starts on Monday 23 November 2026 at 9:00 UTC
		// (4:00 in New York).
		typ, slots, err := f.svc.Slots(me, f.tid, f.typ.ID)
		if err != nil || typ.ID != f.typ.ID || len(slots) == 0 {
			t.Fatalf("slots: %v %d", err, len(slots))
		}
		if s := slots[0]; s.Start.Location().String() != "America/New_York" || s.Start.Hour() != 9 || s.Start.Minute() != 0 || s.Clinician != "Dr Rivera" || s.Start.Day() != 23 {
			t.Fatalf("first slot %v %s, want today at 9:00 in New York", s.Start, s.Clinician)
		}
		// Wednesday at 9:00, beyond the cancellation window.
		first := slots[12]
		if first.Start.Day() != 25 || first.Start.Hour() != 9 {
			t.Fatalf("slot 12 is %v", first.Start)
		}
		has := func(ss []appointments.Slot, at time.Time) bool {
			for _, s := range ss {
				if s.Start.Equal(at) {
					return true
				}
			}
			return false
		}
		// 14 days of 6 slots on 10 weekdays.
		if len(slots) != 60 {
			t.Errorf("%d slots, want 60", len(slots))
		}

		// Bad input: each a clear error, nothing stored.
		bad := map[string]struct {
			b    appointments.Booking
			code apperr.Code
		}{
			"in the past":      {appointments.Booking{TypeID: f.typ.ID, ClinicianID: f.doc, LocationID: f.loc.ID, Start: at(2026, 11, 20, 9, 0)}, apperr.Invalid},
			"outside hours":    {appointments.Booking{TypeID: f.typ.ID, ClinicianID: f.doc, LocationID: f.loc.ID, Start: at(2026, 11, 24, 13, 0)}, apperr.Invalid},
			"off the grid":     {appointments.Booking{TypeID: f.typ.ID, ClinicianID: f.doc, LocationID: f.loc.ID, Start: at(2026, 11, 24, 9, 10)}, apperr.Invalid},
			"on a Saturday":    {appointments.Booking{TypeID: f.typ.ID, ClinicianID: f.doc, LocationID: f.loc.ID, Start: at(2026, 11, 28, 9, 0)}, apperr.Invalid},
			"too far ahead":    {appointments.Booking{TypeID: f.typ.ID, ClinicianID: f.doc, LocationID: f.loc.ID, Start: at(2026, 12, 14, 9, 0)}, apperr.Invalid},
			"unknown type":     {appointments.Booking{TypeID: id.New(), ClinicianID: f.doc, LocationID: f.loc.ID, Start: first.Start}, apperr.Invalid},
			"unknown location": {appointments.Booking{TypeID: f.typ.ID, ClinicianID: f.doc, LocationID: id.New(), Start: first.Start}, apperr.Invalid},
			"other clinician":  {appointments.Booking{TypeID: f.typ.ID, ClinicianID: id.New(), LocationID: f.loc.ID, Start: first.Start}, apperr.Invalid},
			"reason too long":  {appointments.Booking{TypeID: f.typ.ID, ClinicianID: f.doc, LocationID: f.loc.ID, Start: first.Start, Reason: strings.Repeat("x", 501)}, apperr.Invalid},
		}
		for name, c := range bad {
			if _, err := f.svc.Book(me, f.tid, pat, c.b); !apperr.Is(err, c.code) || apperr.SafeMessage(err) == "" {
				t.Errorf("%s: %v, want %s", name, err, c.code)
			}
		}
		if n := f.count(t); n != 0 {
			t.Fatalf("%d appointments after bad input", n)
		}

		// No care relationship before the booking.
		if _, err := f.en.Grants.Authorize(f.docCtx, f.tid, pat, access.DataClinical, access.Read); err == nil {
			t.Fatal("clinician reads the patient before any booking")
		}
		reason := "Sugar levels high since the new dose"
		a, err := f.svc.Book(me, f.tid, pat, appointments.Booking{TypeID: f.typ.ID, ClinicianID: f.doc, LocationID: f.loc.ID, Start: first.Start, Reason: reason})
		if err != nil {
			t.Fatal(err)
		}
		if a.Details.TypeName != "Diabetes review" || a.Details.Clinician != "Dr Rivera" || a.Details.Reason != reason || !a.Changeable {
			t.Fatalf("booked %+v", a)
		}
		if d, err := f.en.Grants.Authorize(f.docCtx, f.tid, pat, access.DataClinical, access.Read); err != nil || d.Purpose != access.PurposeTreatment {
			t.Fatalf("the booking made no care relationship: %v", err)
		}
		// Sealed: nothing of the details in the row.
		row, err := f.st.ByID(context.Background(), f.tid, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{reason, "Diabetes", "Rivera"} {
			if bytes.Contains(row.DetailsCT, []byte(s)) {
				t.Errorf("%q in the clear", s)
			}
		}
		// The same slot again, by someone else: taken, nothing stored.
		if _, err := f.svc.Book(f.as(other), f.tid, other, appointments.Booking{TypeID: f.typ.ID, ClinicianID: f.doc, LocationID: f.loc.ID, Start: first.Start}); !apperr.Is(err, apperr.Conflict) || !strings.Contains(apperr.SafeMessage(err), "just booked") {
			t.Errorf("double booking: %v", err)
		}
		if n := f.count(t); n != 1 {
			t.Fatalf("%d appointments after a double booking", n)
		}
		// The slot is no longer offered.
		_, after, _ := f.svc.Slots(me, f.tid, f.typ.ID)
		if len(after) != len(slots)-1 || has(after, first.Start) {
			t.Errorf("slots after booking: %d", len(after))
		}

		// The confirmation: time and brand only, with the calendar file.
		sys := access.WithActor(context.Background(), access.System("test", f.tid))
		items, err := f.en.Outbox.Recent(sys, f.tid, 10)
		if err != nil || len(items) != 1 {
			t.Fatalf("emails: %d %v", len(items), err)
		}
		m := items[0]
		if m.To.Reveal() != "pat0@example.com" || len(m.Attachments) != 1 {
			t.Fatalf("email to %s with %d attachments", m.To.Reveal(), len(m.Attachments))
		}
		ics := string(m.Attachments[0].Data)
		if !strings.Contains(ics, "SUMMARY:Appointment at Test Clinic") || !strings.Contains(ics, "DTSTART:20261125T140000Z") ||
			!strings.Contains(ics, "UID:"+a.ID+"@salve") {
			t.Errorf("calendar file:\n%s", ics)
		}
		for _, s := range []string{reason, "Diabetes", "Rivera", "Main Street"} {
			if strings.Contains(m.Subject+m.Text.Reveal()+ics, s) {
				t.Errorf("%q in the email", s)
			}
		}

		// Other people: the same NotFound as a made-up id.
		for name, ctx := range map[string]context.Context{
			"other patient": f.as(other),
			"other tenant":  access.WithActor(context.Background(), access.Actor{ID: pat, Role: access.RolePatient, TenantID: id.New()}),
			"store manager": f.mgrCtx,
		} {
			if _, err := f.svc.Get(ctx, f.tid, pat, a.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s reads: %v", name, err)
			}
			if err := f.svc.Cancel(ctx, f.tid, pat, a.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s cancels: %v", name, err)
			}
			if _, err := f.svc.Summary(ctx, f.tid, pat); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s widget: %v", name, err)
			}
		}
		if _, err := f.svc.Get(f.as(other), f.tid, other, a.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another patient's id under their own name: %v", err)
		}
		if _, err := f.svc.Get(me, f.tid, pat, id.New()); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("made-up id: %v", err)
		}

		// Reschedule to Tuesday 10:00; the old slot is free again.
		to := at(2026, 11, 24, 10, 0)
		if err := f.svc.Reschedule(me, f.tid, pat, a.ID, f.doc, f.loc.ID, at(2026, 11, 24, 12, 0)); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("reschedule outside hours: %v", err)
		}
		if err := f.svc.Reschedule(me, f.tid, pat, a.ID, f.doc, f.loc.ID, to); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Get(me, f.tid, pat, a.ID)
		if err != nil || !got.Start.Equal(to) || got.Details.Reason != reason {
			t.Fatalf("moved: %v %v", got.Start, err)
		}
		_, after, _ = f.svc.Slots(me, f.tid, f.typ.ID)
		if !has(after, first.Start) || has(after, to) {
			t.Errorf("the old slot is not free again, or the new one is offered")
		}

		// The clinician's day lists it with its details.
		day, err := f.svc.MyDay(f.docCtx, f.tid, "2026-11-24", f.loc.Zone())
		if err != nil || len(day.Appointments) != 1 || day.Appointments[0].Details.Reason != reason {
			t.Fatalf("day: %v %+v", err, day)
		}
		if _, err := f.svc.MyDay(f.mgrCtx, f.tid, "", nil); !apperr.Is(err, apperr.Denied) {
			t.Errorf("a store manager's day: %v", err)
		}

		// The widget: one line, time in New York, mode, link by id.
		sum, err := f.svc.Summary(me, f.tid, pat)
		if err != nil || sum.Total != 1 || len(sum.Lines) != 1 {
			t.Fatalf("summary %+v %v", sum, err)
		}
		l := sum.Lines[0]
		if l.Title != "Diabetes review with Dr Rivera" || !strings.Contains(l.Detail, "Tue 24 Nov 2026, 10:00 EST") ||
			!strings.Contains(l.Detail, "In person") || l.Href != "/account/appointments/"+a.ID {
			t.Errorf("line %+v", l)
		}
		var _ portal.Source = f.svc

		// The reminder: queued once, a day before.
		if n, err := f.svc.SendReminders(context.Background(), 10); err != nil || n != 0 {
			t.Fatalf("reminders two days ahead: %d %v", n, err)
		}
		f.en.Clock.Set(to.Add(-20 * time.Hour))
		if n, err := f.svc.SendReminders(context.Background(), 10); err != nil || n != 1 {
			t.Fatalf("reminders: %d %v", n, err)
		}
		if n, _ := f.svc.SendReminders(context.Background(), 10); n != 0 {
			t.Errorf("a second reminder: %d", n)
		}
		// Booked less than a day ahead: the confirmation is the reminder.
		_, soon, err := f.svc.Slots(f.as(other), f.tid, f.typ.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Book(f.as(other), f.tid, other, appointments.Booking{TypeID: f.typ.ID, ClinicianID: f.doc, LocationID: f.loc.ID, Start: soon[0].Start}); err != nil {
			t.Fatal(err)
		}
		if n, err := f.svc.SendReminders(context.Background(), 10); err != nil || n != 0 {
			t.Errorf("a reminder hours after the confirmation: %d %v", n, err)
		}

		// Inside the cancellation window: neither move nor cancel.
		if err := f.svc.Cancel(me, f.tid, pat, a.ID); !apperr.Is(err, apperr.Invalid) || !strings.Contains(apperr.SafeMessage(err), "24 hours") {
			t.Errorf("cancel inside the window: %v", err)
		}
		if err := f.svc.SetCancelWindow(f.mgrCtx, f.tid, "2"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetCancelWindow(me, f.tid, "0"); !apperr.Is(err, apperr.Denied) {
			t.Errorf("a patient sets the window: %v", err)
		}
		if err := f.svc.Cancel(me, f.tid, pat, a.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Cancel(me, f.tid, pat, a.ID); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("cancel twice: %v", err)
		}
		up, past, err := f.svc.ForPatient(me, f.tid, pat)
		if err != nil || len(up) != 0 || len(past) != 1 || past[0].Status != appointments.Cancelled {
			t.Errorf("after cancel: %d upcoming, %d past, %v", len(up), len(past), err)
		}

		// Every read and write was audited under the patient, and the
		// denials too.
		recs := f.en.Events(t, pat)
		for _, action := range []string{"appointment.book", "appointment.read", "appointment.reschedule", "appointment.cancel", "appointment.list", "care.add"} {
			if !testkit.HasEvent(recs, action, audit.Allowed) {
				t.Errorf("no %s event", action)
			}
		}
		if !testkit.HasEvent(recs, "clinical.read", audit.Denied) {
			t.Error("no denial event")
		}
	})
}

// TestProxyBooksWithTheClinicalScope: a carer with the clinical class may
// see and book for the patient; with orders only, the same NotFound as
// anyone.
func TestProxyBooksWithTheClinicalScope(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		f := newFixture(t, e, 3)
		pat, withClinical, ordersOnly := f.patients[0], f.patients[1], f.patients[2]
		if err := f.en.Grants.GrantProxy(f.as(pat), "pat1@example.com", []string{"clinical"}); err != nil {
			t.Fatal(err)
		}
		if err := f.en.Grants.GrantProxy(f.as(pat), "pat2@example.com", []string{"orders"}); err != nil {
			t.Fatal(err)
		}
		f.en.After.Wait()
		_, slots, err := f.svc.Slots(f.as(withClinical), f.tid, f.typ.ID)
		if err != nil {
			t.Fatal(err)
		}
		b := appointments.Booking{TypeID: f.typ.ID, ClinicianID: f.doc, LocationID: f.loc.ID, Start: slots[0].Start}
		if _, err := f.svc.Book(f.as(ordersOnly), f.tid, pat, b); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("proxy without the clinical scope books: %v", err)
		}
		if _, _, err := f.svc.ForPatient(f.as(ordersOnly), f.tid, pat); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("proxy without the clinical scope lists: %v", err)
		}
		a, err := f.svc.Book(f.as(withClinical), f.tid, pat, b)
		if err != nil {
			t.Fatal(err)
		}
		if up, _, err := f.svc.ForPatient(f.as(withClinical), f.tid, pat); err != nil || len(up) != 1 || up[0].ID != a.ID {
			t.Errorf("proxy lists: %v %d", err, len(up))
		}
		if _, err := f.svc.Summary(f.as(ordersOnly), f.tid, pat); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("proxy without the clinical scope, widget: %v", err)
		}
	})
}

// TestTwentyPatientsRaceForOneSlot: exactly one booking, nineteen clear
// conflicts, on both engines.
func TestTwentyPatientsRaceForOneSlot(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		f := newFixture(t, e, 20)
		_, slots, err := f.svc.Slots(f.as(f.patients[0]), f.tid, f.typ.ID)
		if err != nil {
			t.Fatal(err)
		}
		b := appointments.Booking{TypeID: f.typ.ID, ClinicianID: f.doc, LocationID: f.loc.ID, Start: slots[3].Start}
		var wg sync.WaitGroup
		errs := make([]error, len(f.patients))
		start := make(chan struct{})
		for i, p := range f.patients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = f.svc.Book(f.as(p), f.tid, p, b)
			}()
		}
		close(start)
		wg.Wait()
		ok, conflicts := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case apperr.Is(err, apperr.Conflict) && errors.Is(err, apperr.ErrDuplicate):
				conflicts++
			default:
				t.Errorf("unexpected: %v", err)
			}
		}
		if ok != 1 || conflicts != 19 {
			t.Fatalf("%d bookings, %d conflicts", ok, conflicts)
		}
		if n := f.count(t); n != 1 {
			t.Fatalf("%d appointments stored", n)
		}
	})
}

// TestManagersAndClinicians: only store managers and admins manage types,
// locations and the window; only clinicians publish hours, their own.
func TestManagersAndClinicians(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		f := newFixture(t, e, 1)
		me := f.as(f.patients[0])
		if _, err := f.svc.AddType(f.docCtx, f.tid, appointments.TypeInput{Name: "X", Duration: "30", Mode: "video"}); !apperr.Is(err, apperr.Denied) {
			t.Errorf("clinician adds a type: %v", err)
		}
		if _, err := f.svc.AddType(f.mgrCtx, f.tid, appointments.TypeInput{Name: "", Duration: "7", Mode: "phone", Price: "x"}); !apperr.Is(err, apperr.Invalid) || len(apperr.As(err).Fields) != 4 {
			t.Errorf("bad type: %v", err)
		}
		if _, err := f.svc.AddLocation(f.mgrCtx, f.tid, "Annex", "2 Side St", "Mars/Olympus"); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("bad zone: %v", err)
		}
		if err := f.svc.AddHours(me, f.tid, f.loc.ID, "1", "09:00", "10:00"); !apperr.Is(err, apperr.Denied) {
			t.Errorf("patient adds hours: %v", err)
		}
		if err := f.svc.AddHours(f.docCtx, f.tid, f.loc.ID, "1", "10:00", "09:00"); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("backwards hours: %v", err)
		}
		if err := f.svc.AddException(f.docCtx, f.tid, f.loc.ID, "2026-11-24", appointments.DayOff, "", ""); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.AddException(f.docCtx, f.tid, f.loc.ID, "2026-11-28", appointments.Extra, "10:00", "11:00"); err != nil {
			t.Fatal(err)
		}
		_, slots, err := f.svc.Slots(me, f.tid, f.typ.ID)
		if err != nil {
			t.Fatal(err)
		}
		tue, sat := 0, 0
		for _, s := range slots {
			switch s.Start.Format(time.DateOnly) {
			case "2026-11-24":
				tue++
			case "2026-11-28":
				sat++
			}
		}
		if tue != 0 || sat != 2 {
			t.Errorf("day off: %d slots; extra hours: %d slots", tue, sat)
		}
		av, err := f.svc.MyAvailability(f.docCtx, f.tid)
		if err != nil || len(av.Hours) != 5 || len(av.Exceptions) != 2 || av.Profile.DisplayName != "Dr Rivera" {
			t.Fatalf("availability %+v %v", av, err)
		}
		// Another clinician cannot remove these.
		other := f.en.CreateStaff(t, access.RoleClinician, "doc2@example.com")
		otherCtx := access.WithActor(context.Background(), access.Actor{ID: other, Role: access.RoleClinician, TenantID: f.tid})
		if err := f.svc.RemoveHours(otherCtx, f.tid, av.Hours[0].ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another clinician removes hours: %v", err)
		}
		if err := f.svc.RemoveHours(f.docCtx, f.tid, av.Hours[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.RemoveException(f.docCtx, f.tid, av.Exceptions[0].ID); err != nil {
			t.Fatal(err)
		}
		// A retired type is not offered.
		if err := f.svc.SetTypeActive(f.mgrCtx, f.tid, f.typ.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Slots(me, f.tid, f.typ.ID); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("retired type: %v", err)
		}
	})
}
