package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestStartReleasesCrashLeftovers: stock held for orders never stored, as
// kill -9 in the middle of checkouts leaves it, is back in stock when a
// restarted server says it is ready, long before the holds' 30-minute
// expiry.
func TestStartReleasesCrashLeftovers(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e, func(c *config.Config) { c.Addr = "127.0.0.1:0" })
		ctx := context.Background()
		p := &catalog.Product{Name: "Gauze", Variants: []catalog.Variant{{SKU: "GZ-1", Price: 500, Stock: 10}}}
		if err := catalog.NewService(store.NewCatalogRepo(s.Stores.Catalog), s.Clock).SaveProduct(ctx, s.Tenant.ID, p); err != nil {
			t.Fatal(err)
		}
		v := p.Variants[0]
		stock := store.NewStock(s.Stores.Catalog)
		var dead []string
		for range 6 {
			oid := id.NewAt(s.Clock.Now())
			if err := stock.Reserve(ctx, s.Tenant.ID, oid, []orders.StockItem{{VariantID: v.ID, Quantity: 1, Label: "Gauze"}}, orders.PromoUse{},
				s.Clock.Now(), s.Clock.Now().Add(orders.ReservationTTL)); err != nil {
				t.Fatal(err)
			}
			dead = append(dead, oid)
		}
		// The process died; it restarts a few minutes later (the holds are
		// older than the grace, and far from their expiry).
		s.Clock.Advance(orders.LeftoverGrace + time.Minute)
		runCtx, stop := context.WithCancel(ctx)
		_, done := run(t, runCtx, s.Rebuild(t, nil))
		defer func() {
			stop()
			if err := <-done; err != nil {
				t.Error(err)
			}
		}()
		for _, oid := range dead {
			if r, err := stock.Reserved(ctx, s.Tenant.ID, oid); err != nil || r[v.ID] != "released" {
				t.Fatalf("leftover %s at ready: %v %v", oid, r, err)
			}
		}
		var left int64
		if err := s.Stores.Catalog.Reader().QueryRow(`SELECT stock FROM variants WHERE id = $1`, v.ID).Scan(&left); err != nil || left != 10 {
			t.Fatalf("stock %d at ready, want 10 (%v)", left, err)
		}
	})
}
