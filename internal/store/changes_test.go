package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestChangesDecideOnce: of two people deciding one pending change at the
// same moment exactly one wins; the decision drops what waited to be
// applied unless it is an approval (dropped after applying, SetStatus);
// another tenant's change is NotFound; the installation's records are
// listed with each tenant's.
func TestChangesDecideOnce(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		q := store.NewChanges(testkit.OpenStore(t, e, store.PHI))
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		tenantID := id.New()
		c := changes.Change{ID: id.New(), TenantID: tenantID, Kind: changes.KindRetentionRule, Target: "orders",
			Before: map[string]string{"keep_days": "2190"}, After: map[string]string{"keep_days": "400"}, Payload: map[string]string{"keep_days": "400"},
			Reason: "why", RequestedBy: id.New(), RequestedRole: access.RoleAdmin, RequestedAt: now, Status: changes.Pending}
		if err := q.Add(ctx, c); err != nil {
			t.Fatal(err)
		}
		version := changes.Change{ID: id.New(), Kind: changes.VersionKind, Target: "salve", After: map[string]string{"version": "v1"},
			Reason: "start", RequestedBy: "system:start", RequestedRole: access.RoleSystem, RequestedAt: now.Add(-time.Minute),
			Status: changes.Recorded, DecidedBy: "system:start", DecidedAt: now.Add(-time.Minute)}
		if err := q.Add(ctx, version); err != nil {
			t.Fatal(err)
		}
		if _, err := q.Get(ctx, id.New(), c.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another tenant's change: %v", err)
		}
		var wg sync.WaitGroup
		wins := make(chan bool, 2)
		for _, st := range []changes.Status{changes.Applied, changes.Rejected} {
			d := c
			d.Status, d.DecidedBy, d.DecidedRole, d.DecidedAt = st, id.New(), access.RoleAdmin, now
			wg.Go(func() {
				won, err := q.Decide(ctx, d)
				if err != nil {
					t.Error(err)
				}
				wins <- won
			})
		}
		wg.Wait()
		close(wins)
		n := 0
		for w := range wins {
			if w {
				n++
			}
		}
		got, err := q.Get(ctx, tenantID, c.ID)
		if err != nil || n != 1 || got.Status == changes.Pending || got.DecidedAt.IsZero() {
			t.Fatalf("decided %d times: %+v %v", n, got, err)
		}
		if got.Status == changes.Rejected && len(got.Payload) != 0 {
			t.Errorf("a rejected change keeps its payload: %v", got.Payload)
		}
		if err := q.SetStatus(ctx, tenantID, c.ID, got.Status, ""); err != nil {
			t.Fatal(err)
		}
		if got, _ = q.Get(ctx, tenantID, c.ID); len(got.Payload) != 0 || got.After["keep_days"] != "400" {
			t.Errorf("after SetStatus: %+v", got)
		}
		list, err := q.List(ctx, tenantID, 10)
		if err != nil || len(list) != 2 || list[0].ID != c.ID || list[1].ID != version.ID {
			t.Fatalf("list: %+v %v", list, err)
		}
		if last, err := q.LastOf(ctx, "", changes.VersionKind); err != nil || last.ID != version.ID {
			t.Fatalf("last version: %+v %v", last, err)
		}
		if _, err := q.LastOf(ctx, tenantID, changes.VersionKind); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("no version in the tenant: %v", err)
		}
	})
}
