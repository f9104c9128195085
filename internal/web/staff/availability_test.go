package staff_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestAvailabilityEditor: a clinician names themselves, adds weekly hours
// and a day off through the page; bad input shows the form again with its
// errors and stores nothing; the day page links to the editor.
func TestAvailabilityEditor(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		svc := s.Services().Appointments
		mgr := s.NewPerson(t, access.RoleStoreManager)
		loc, err := svc.AddLocation(access.WithActor(ctx, access.Actor{ID: mgr.ID, Role: access.RoleStoreManager, TenantID: s.Tenant.ID}),
			s.Tenant.ID, "Main Street", "1 Main Street", "America/Chicago")
		if err != nil {
			t.Fatal(err)
		}
		doc := s.NewPerson(t, access.RoleClinician)
		c := s.ClientAs(t, doc)
		r, body := testkit.Do(t, c, s.NewRequest(t, "POST", "/staff/appointments/availability/hours",
			url.Values{"location": {loc.ID}, "weekday": {"9"}, "from": {"17:00"}, "to": {"09:00"}}))
		if (r.StatusCode != 422 && r.StatusCode != 400) || !strings.Contains(body, "Check the hours") || !strings.Contains(body, "The end must be after the start") {
			t.Errorf("bad hours: %d", r.StatusCode)
		}
		for path, form := range map[string]url.Values{
			"/staff/appointments/availability/name":       {"display_name": {"Dr Lee"}},
			"/staff/appointments/availability/hours":      {"location": {loc.ID}, "weekday": {"2"}, "from": {"09:00"}, "to": {"12:30"}},
			"/staff/appointments/availability/exceptions": {"location": {loc.ID}, "day": {"2026-12-24"}, "kind": {"off"}},
		} {
			if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", path, form)); r.StatusCode != 303 {
				t.Errorf("%s: %d", path, r.StatusCode)
			}
		}
		_, body = testkit.Do(t, c, s.NewRequest(t, "GET", "/staff/appointments/availability", nil))
		for _, want := range []string{"Now: Dr Lee", "Tuesday 09:00–12:30, Main Street", "2026-12-24: Day off"} {
			if !strings.Contains(body, want) {
				t.Errorf("the editor lacks %q", want)
			}
		}
		av, err := svc.MyAvailability(access.WithActor(ctx, access.Actor{ID: doc.ID, Role: access.RoleClinician, TenantID: s.Tenant.ID}), s.Tenant.ID)
		if err != nil || len(av.Hours) != 1 || len(av.Exceptions) != 1 {
			t.Fatalf("stored %+v %v", av, err)
		}
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/staff/appointments/availability/hours/"+av.Hours[0].ID+"/remove", url.Values{})); r.StatusCode != 303 {
			t.Errorf("remove: %d", r.StatusCode)
		}
		_, body = testkit.Do(t, c, s.NewRequest(t, "GET", "/staff/appointments", nil))
		if !strings.Contains(body, "No appointments on this day") || !strings.Contains(body, "America/Chicago") {
			t.Errorf("the day page: %s", body)
		}
	})
}
