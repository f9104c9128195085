package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/appointments"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
)

// SeedAppointments gives the demo tenant a clinic (a location in New York),
// two kinds of appointment, the demo clinician's weekly hours there, and
// two upcoming appointments and one past for the demo patient, unless the
// tenant has a location already. It runs once the demo accounts exist.
func SeedAppointments(ctx context.Context, catalog, phiDB *store.DB, svc *appointments.Service, clk clock.Clock) error {
	t, err := store.NewTenants(catalog).BySlug(ctx, TenantSlug)
	if err != nil {
		return err
	}
	users := store.NewUsers(phiDB)
	first := func(role access.Role) (string, error) {
		us, err := users.List(ctx, t.ID, role, 1)
		if err != nil {
			return "", err
		}
		if len(us) == 0 {
			return "", fmt.Errorf("demo appointments: no demo %s", role)
		}
		return us[0].ID, nil
	}
	manager, err := first(access.RoleStoreManager)
	if err != nil {
		return err
	}
	doc, err := first(access.RoleClinician)
	if err != nil {
		return err
	}
	patient, err := first(access.RolePatient)
	if err != nil {
		return err
	}
	locs, err := svc.Locations(ctx, t.ID)
	if err != nil || len(locs) > 0 {
		return err // made on an earlier run
	}
	_, err = SeedAppointmentsFor(ctx, svc, clk, t.ID, manager, doc, patient)
	return err
}

// SeedAppointmentsFor makes the demo's appointment offer in a tenant as its
// store manager and clinician (a location, two types, weekday hours 9:00 to
// 17:00 in New York), and books for the patient two upcoming appointments
// (in two and nine days) and one past (twelve days ago, booked through the
// same rules on a clock of that time). It returns the ids: upcoming first.
// The browser tests seed their pages with it.
func SeedAppointmentsFor(ctx context.Context, svc *appointments.Service, clk clock.Clock, tenantID, managerID, clinicianID, patientID string) ([]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	mgr := access.WithActor(ctx, access.Actor{ID: managerID, Role: access.RoleStoreManager, TenantID: tenantID})
	doc := access.WithActor(ctx, access.Actor{ID: clinicianID, Role: access.RoleClinician, TenantID: tenantID})
	pat := access.WithActor(ctx, access.Actor{ID: patientID, Role: access.RolePatient, TenantID: tenantID})
	loc, err := svc.AddLocation(mgr, tenantID, "Salve Demo Clinic", "100 Health Avenue, New York, NY 10001", "America/New_York")
	if err != nil {
		return nil, err
	}
	review, err := svc.AddType(mgr, tenantID, appointments.TypeInput{Name: "Diabetes review", Duration: "30", Mode: string(appointments.InPerson), Price: "45"})
	if err != nil {
		return nil, err
	}
	if _, err := svc.AddType(mgr, tenantID, appointments.TypeInput{Name: "Medication check-in", Duration: "20", Mode: string(appointments.Video)}); err != nil {
		return nil, err
	}
	if err := svc.SetDisplayName(doc, tenantID, "Dr Ana Rivera"); err != nil {
		return nil, err
	}
	for wd := time.Monday; wd <= time.Friday; wd++ {
		if err := svc.AddHours(doc, tenantID, loc.ID, fmt.Sprint(int(wd)), "09:00", "17:00"); err != nil {
			return nil, err
		}
	}
	now := clk.Now()
	book := func(s *appointments.Service, after time.Time, reason string) (string, error) {
		_, slots, err := s.Slots(pat, tenantID, review.ID)
		if err != nil {
			return "", err
		}
		for _, sl := range slots {
			if sl.Start.After(after) && sl.Start.Hour() >= 10 {
				a, err := s.Book(pat, tenantID, patientID, appointments.Booking{TypeID: review.ID, ClinicianID: sl.ClinicianID,
					LocationID: sl.Location.ID, Start: sl.Start, Reason: reason})
				return a.ID, err
			}
		}
		return "", errors.New("demo appointments: no free slot")
	}
	var ids []string
	for _, b := range []struct {
		s      *appointments.Service
		after  time.Time
		reason string
	}{
		{svc, now.Add(48 * time.Hour), "Quarterly diabetes review"},
		{svc, now.Add(9 * 24 * time.Hour), "Follow-up on the new dose"},
		{svc.WithClock(clock.NewFake(now.Add(-12 * 24 * time.Hour))), now.Add(-12 * 24 * time.Hour), "First visit"},
	} {
		id, err := book(b.s, b.after, b.reason)
		if err != nil {
			return ids, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}
