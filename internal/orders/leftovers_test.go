package orders_test

import (
	"context"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestLeftoverHoldsAreReleased: holds whose order was never stored (what
// kill -9 between holding the stock and storing the order leaves) are given
// back once they are older than the grace, and not before (a checkout in
// flight in another process looks the same while it is young); the hold of
// a stored, unpaid order is left to its expiry.
func TestLeftoverHoldsAreReleased(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := newEnv(t, e)
		ctx := context.Background()
		v := product(t, s, "Gauze", 500, 20, false)
		stock := store.NewStock(s.Stores.Catalog)
		// A stored order paid by invoice: its hold lasts 14 days.
		bctx, uid := buyer(t, s, 1)
		o, err := place(s, bctx, uid, "invoice", orders.ItemRef{VariantID: v.ID, Quantity: 2})
		if err != nil {
			t.Fatal(err)
		}
		// Six leftovers, as a crash in the middle of six checkouts leaves.
		var dead []string
		for range 6 {
			oid := id.NewAt(s.Clock.Now())
			if err := stock.Reserve(ctx, s.Tenant.ID, oid, []orders.StockItem{{VariantID: v.ID, Quantity: 1, Label: "Gauze"}}, orders.PromoUse{},
				s.Clock.Now(), s.Clock.Now().Add(orders.ReservationTTL)); err != nil {
				t.Fatal(err)
			}
			dead = append(dead, oid)
		}
		if n := stockOf(t, s, v.ID); n != 12 {
			t.Fatalf("stock %d after the holds, want 12", n)
		}
		// Young: could be checkouts in flight elsewhere; nothing is released.
		s.Clock.Advance(orders.LeftoverGrace - time.Second)
		if n, err := s.Orders.ReleaseLeftovers(ctx); err != nil || n != 0 {
			t.Fatalf("released %d young holds (%v)", n, err)
		}
		if n := stockOf(t, s, v.ID); n != 12 {
			t.Fatalf("stock %d, want 12: a young hold was released", n)
		}
		s.Clock.Advance(2 * time.Second)
		if n, err := s.Orders.ReleaseLeftovers(ctx); err != nil || n != 6 {
			t.Fatalf("released %d leftovers, want 6 (%v)", n, err)
		}
		if n := stockOf(t, s, v.ID); n != 18 {
			t.Fatalf("stock %d after releasing leftovers, want 18", n)
		}
		for _, oid := range dead {
			if r, err := stock.Reserved(ctx, s.Tenant.ID, oid); err != nil || r[v.ID] != "released" {
				t.Fatalf("leftover %s: %v %v", oid, r, err)
			}
		}
		if r, err := stock.Reserved(ctx, s.Tenant.ID, o.ID); err != nil || r[v.ID] != "held" {
			t.Fatalf("the stored order's hold: %v %v", r, err)
		}
		// Again: nothing left to release.
		if n, err := s.Orders.ReleaseLeftovers(ctx); err != nil || n != 0 {
			t.Fatalf("second run released %d (%v)", n, err)
		}
	})
}
