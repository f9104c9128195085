package admin_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestAppointmentOffer: a store manager adds a type, a location and sets the
// cancellation window through the page; bad input shows the form again with
// its errors and stores nothing; a clinician gets the 404 of a missing page.
func TestAppointmentOffer(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		c := s.ClientAs(t, s.NewPerson(t, access.RoleStoreManager))
		svc := s.Services().Appointments

		r, body := testkit.Do(t, c, s.NewRequest(t, "POST", "/admin/appointments/types", url.Values{"name": {""}, "duration": {"7"}, "mode": {"phone"}, "price": {"x"}}))
		if r.StatusCode != 400 || !strings.Contains(body, "Check the appointment type") || !strings.Contains(body, "steps of 5") {
			t.Errorf("bad type: %d", r.StatusCode)
		}
		r, body = testkit.Do(t, c, s.NewRequest(t, "POST", "/admin/appointments/locations", url.Values{"loc_name": {"Annex"}, "address": {"2 Side St"}, "zone": {"Mars/Olympus"}}))
		if r.StatusCode != 400 || !strings.Contains(body, "time zone") {
			t.Errorf("bad zone: %d", r.StatusCode)
		}
		if types, _ := svc.Types(ctx, s.Tenant.ID); len(types) != 0 {
			t.Fatalf("%d types after bad input", len(types))
		}
		if locs, _ := svc.Locations(ctx, s.Tenant.ID); len(locs) != 0 {
			t.Fatalf("%d locations after bad input", len(locs))
		}

		for path, form := range map[string]url.Values{
			"/admin/appointments/types":     {"name": {"Flu shot"}, "duration": {"15"}, "mode": {"in_person"}, "price": {"20.50"}},
			"/admin/appointments/locations": {"loc_name": {"Annex"}, "address": {"2 Side St"}, "zone": {"Europe/London"}},
			"/admin/appointments/window":    {"hours": {"48"}},
		} {
			if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", path, form)); r.StatusCode != 303 {
				t.Errorf("%s: %d", path, r.StatusCode)
			}
		}
		_, body = testkit.Do(t, c, s.NewRequest(t, "GET", "/admin/appointments", nil))
		for _, want := range []string{"Flu shot", "15 min", "$20.50", "Annex", "Europe/London", `value="48"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		if w, _ := svc.CancelWindow(ctx, s.Tenant.ID); w != 48*time.Hour {
			t.Errorf("window %v", w)
		}
		types, _ := svc.Types(ctx, s.Tenant.ID)
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/admin/appointments/types/"+types[0].ID+"/retire", url.Values{})); r.StatusCode != 303 {
			t.Errorf("retire: %d", r.StatusCode)
		}
		if types, _ = svc.Types(ctx, s.Tenant.ID); types[0].Active {
			t.Error("still offered after retiring")
		}

		doc := s.ClientAs(t, s.NewPerson(t, access.RoleClinician))
		if r, _ := testkit.Do(t, doc, s.NewRequest(t, "GET", "/admin/appointments", nil)); r.StatusCode != 404 {
			t.Errorf("a clinician: %d", r.StatusCode)
		}
	})
}
