package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestPortalSourcesFillTheAppointmentsWidget: the server's widget sources
// hold the appointments service; the patient sees their upcoming
// appointments in the location's zone, anyone else the NotFound of a
// missing record.
func TestPortalSourcesFillTheAppointmentsWidget(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	ctx := context.Background()
	patient, other := s.NewPerson(t, access.RolePatient), s.NewPerson(t, access.RolePatient)
	if _, err := demo.SeedAppointmentsFor(ctx, s.Services().Appointments, s.Clock, s.Tenant.ID, s.NewPerson(t, access.RoleStoreManager).ID,
		s.NewPerson(t, access.RoleClinician).ID, patient.ID); err != nil {
		t.Fatal(err)
	}
	src, ok := s.PortalSources()[portal.WidgetAppointments]
	if !ok {
		t.Fatal("no source for the appointments widget")
	}
	as := func(p testkit.Person) context.Context {
		return access.WithActor(ctx, access.Actor{ID: p.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
	}
	sum, err := src.Summary(as(patient), s.Tenant.ID, patient.ID)
	if err != nil || sum.Total != 2 || len(sum.Lines) != 2 || sum.Note != "2 upcoming" {
		t.Fatalf("summary %+v %v", sum, err)
	}
	if l := sum.Lines[0]; !strings.Contains(l.Detail, "EST") || !strings.Contains(l.Detail, "In person") || !strings.HasPrefix(l.Href, "/account/appointments/") {
		t.Errorf("line %+v", l)
	}
	if _, err := src.Summary(as(other), s.Tenant.ID, patient.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("another patient: %v", err)
	}
}
