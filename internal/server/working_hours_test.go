package server_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/activity"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestWorkingHoursInTheTenantsZone: a clinician's read at 10:00 UTC on a
// Wednesday is within the default working hours (07 to 19 UTC); once the
// tenant's working hours are Asia/Tokyo 09 to 17 (requested by an admin on
// the changes page, an unknown zone refused first, approved by the
// compliance officer), the same read is 19:00 in Tokyo and the activity
// review flags it as off-hours.
func TestWorkingHoursInTheTenantsZone(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		tid := s.Tenant.ID
		at := s.Clock.Now().UTC().Truncate(24 * time.Hour).Add(10 * time.Hour)
		for at.Weekday() != time.Wednesday || !at.Before(s.Clock.Now()) {
			at = at.Add(-24 * time.Hour)
		}
		doc := id.New()
		if err := s.Stores.AuditLog.Append(ctx, audit.Entry{Time: at, TenantID: tid, ActorID: doc, ActorRole: access.RoleClinician,
			Action: "lab_report.read", ResourceType: "lab_report", ResourceID: id.New(), Subjects: []string{id.New()}, Outcome: audit.Allowed,
			Purpose: access.PurposeTreatment}); err != nil {
			t.Fatal(err)
		}
		officer := s.NewPerson(t, access.RoleCompliance)
		octx := access.WithActor(ctx, access.Actor{ID: officer.ID, Role: access.RoleCompliance, TenantID: tid})
		review := server.NewActivityReview(s.Stores)
		offHours := func() int {
			t.Helper()
			fs, err := review.Findings(octx, tid, at.Add(-time.Hour), at.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, f := range fs {
				if f.Rule == activity.OffHours && f.ActorID == doc {
					n++
				}
			}
			return n
		}
		if offHours() != 0 {
			t.Fatal("10:00 UTC is off-hours under the default (UTC) hours")
		}
		admin := s.ClientAs(t, s.NewPerson(t, access.RoleAdmin))
		ask := func(zone string) (int, string) {
			r, body := get(t, admin, s.NewRequest(t, "POST", "/admin/compliance/changes/working-hours", url.Values{"zone": {zone},
				"start_hour": {"9"}, "end_hour": {"17"}, "reason": {"the clinic works in Tokyo"}}))
			return r.StatusCode, body
		}
		if code, body := ask("Mars/Olympus"); code != 422 || !strings.Contains(body, "Unknown time zone") {
			t.Fatalf("unknown zone: %d", code)
		}
		if code, _ := ask("Asia/Tokyo"); code != 200 {
			t.Fatalf("request: %d", code)
		}
		list, err := s.Services().Changes.List(ctx, tid, 10)
		if err != nil || list[0].Kind != changes.KindWorkingHours || list[0].Before["zone"] != "UTC" || list[0].After["zone"] != "Asia/Tokyo" {
			t.Fatalf("pending: %+v %v", list, err)
		}
		// Not yet approved: still the default hours.
		if offHours() != 0 {
			t.Fatal("a pending request changed the hours")
		}
		if r, _ := get(t, s.ClientAs(t, officer), s.NewRequest(t, "POST", "/admin/compliance/changes/"+list[0].ID+"/approve", url.Values{})); r.StatusCode != 200 {
			t.Fatalf("approve: %d", r.StatusCode)
		}
		if offHours() != 1 {
			t.Fatal("19:00 in Tokyo is not flagged as off-hours")
		}
	})
}
