package server_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"

	"github.com/salvehealth/salve/internal/access"
)

// TestSessionLimitsChangeOnlyWithASecondPerson: an admin asks on the
// changes page for shorter staff sessions; a limit longer than the
// server's is refused and nothing recorded; the requester cannot approve
// it; until a second admin approves, a staff session idle for 10 minutes
// still works; after the approval it does not; a rejected request leaves
// the limits as they were.
func TestSessionLimitsChangeOnlyWithASecondPerson(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		svc := s.Services().Changes
		adminA, adminB := s.NewPerson(t, access.RoleAdmin), s.NewPerson(t, access.RoleAdmin)
		a, b := s.ClientAs(t, adminA), s.ClientAs(t, adminB)
		if r, body := get(t, a, s.NewRequest(t, "GET", "/admin/compliance/changes", nil)); r.StatusCode != 200 || !strings.Contains(body, `name="staff_idle_minutes"`) ||
			!strings.Contains(body, `value="15"`) {
			t.Fatalf("changes page: %d, no session limits form with the current 15 minutes", r.StatusCode)
		}
		ask := func(staffIdle, reason string) (int, string) {
			r, body := get(t, a, s.NewRequest(t, "POST", "/admin/compliance/changes/session-limits", url.Values{"staff_idle_minutes": {staffIdle},
				"patient_idle_minutes": {"30"}, "absolute_minutes": {"720"}, "reason": {reason}}))
			return r.StatusCode, body
		}
		if code, body := ask("600", "longer please"); code != 422 || !strings.Contains(body, "only be shortened") || !strings.Contains(body, `value="longer please"`) {
			t.Fatalf("a longer limit: %d", code)
		}
		if list, _ := svc.List(ctx, s.Tenant.ID, 100); len(list) != 0 {
			t.Fatalf("a refused request was recorded: %+v", list)
		}
		if code, _ := ask("5", "front desk terminals are shared"); code != 200 {
			t.Fatalf("request: %d", code)
		}
		list, err := svc.List(ctx, s.Tenant.ID, 100)
		if err != nil || len(list) != 1 || list[0].Status != changes.Pending || list[0].Before["staff_idle_minutes"] != "15" || list[0].After["staff_idle_minutes"] != "5" {
			t.Fatalf("pending: %+v, %v", list, err)
		}
		if r, _ := get(t, a, s.NewRequest(t, "POST", "/admin/compliance/changes/"+list[0].ID+"/approve", url.Values{})); r.StatusCode != 403 {
			t.Fatalf("self-approval: %d", r.StatusCode)
		}
		// Still pending: a staff session idle 10 minutes works.
		s.Clock.Advance(10 * time.Minute)
		if r, _ := get(t, a, s.NewRequest(t, "GET", "/admin/compliance/changes", nil)); r.StatusCode != 200 {
			t.Fatalf("before approval, 10 idle minutes: %d", r.StatusCode)
		}
		if r, _ := get(t, b, s.NewRequest(t, "POST", "/admin/compliance/changes/"+list[0].ID+"/approve", url.Values{})); r.StatusCode != 200 {
			t.Fatalf("approval: %d", r.StatusCode)
		}
		s.Clock.Advance(6 * time.Minute)
		if r, _ := get(t, a, s.NewRequest(t, "GET", "/admin/compliance/changes", nil)); r.StatusCode == 200 {
			t.Fatal("after approval, a session idle 6 minutes still works")
		}
		// A rejected request (patients to 10 minutes) changes nothing.
		c := s.ClientAs(t, s.NewPerson(t, access.RoleAdmin))
		r, _ := get(t, c, s.NewRequest(t, "POST", "/admin/compliance/changes/session-limits", url.Values{"staff_idle_minutes": {"5"},
			"patient_idle_minutes": {"10"}, "absolute_minutes": {"720"}, "reason": {"shorter for patients"}}))
		if r.StatusCode != 200 {
			t.Fatalf("second request: %d", r.StatusCode)
		}
		list, _ = svc.List(ctx, s.Tenant.ID, 100)
		asB := access.WithActor(ctx, access.Actor{ID: adminB.ID, Role: access.RoleAdmin, TenantID: s.Tenant.ID})
		if _, err := svc.Reject(asB, s.Tenant.ID, list[0].ID, "no"); err != nil {
			t.Fatal(err)
		}
		cur, err := svc.Current(ctx, s.Tenant.ID, changes.KindSessionLimits, "sessions")
		if err != nil || cur["patient_idle_minutes"] != "30" || cur["staff_idle_minutes"] != "5" {
			t.Fatalf("after the rejection: %v, %v", cur, err)
		}
	})
}
