package orders_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/payment"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

func TestOrders(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := newEnv(t, e)
		svc := s.Orders
		gw := s.Gateway
		vit := product(t, s, "Vitamin D3", 1250, 5, false)
		rx := product(t, s, "Insulin Pen", 4000, 2, true)
		ctx, uid := buyer(t, s, 1)

		o, err := place(s, ctx, uid, "test", orders.ItemRef{VariantID: vit.ID, Quantity: 2})
		if err != nil {
			t.Fatal(err)
		}
		// 2 × 12.50 = 25.00; shipping 4.99 under 50.00; CA tax 7.25% of 25.00 = 1.81.
		if o.Status != orders.Paid || o.Subtotal != 2500 || o.Shipping != 499 || o.Tax != 181 || o.Total != 3180 {
			t.Fatalf("order %+v", o)
		}
		if stockOf(t, s, vit.ID) != 3 || gw.Charges() != 1 || gw.Total() != 3180 {
			t.Fatalf("stock %d, charges %d", stockOf(t, s, vit.ID), gw.Charges())
		}
		res, err := store.NewStock(s.Stores.Catalog).Reserved(context.Background(), s.Tenant.ID, o.ID)
		if err != nil || res[vit.ID] != "confirmed" {
			t.Fatalf("reservation %v %v", res, err)
		}
		got, err := svc.Get(ctx, s.Tenant.ID, o.ID)
		if err != nil || got.Reference != o.Reference || got.Address.Line1 != "1 Main St" || len(got.Items) != 1 {
			t.Fatalf("get: %+v %v", got, err)
		}

		// A prescription item waits for verification, untaxed.
		s.Clock.Advance(time.Second)
		o2, err := place(s, ctx, uid, "test", orders.ItemRef{VariantID: rx.ID, Quantity: 1})
		if err != nil || o2.Status != orders.AwaitingRx || o2.Tax != 0 {
			t.Fatalf("rx order: %+v %v", o2, err)
		}
		list, err := svc.List(ctx, s.Tenant.ID, uid)
		if err != nil || len(list) != 2 || list[0].ID != o2.ID {
			t.Fatalf("list: %d %v", len(list), err)
		}

		// Another patient, and a made-up id, get the same NotFound.
		octx, ouid := buyer(t, s, 2)
		for _, oid := range []string{o.ID, id.New(), "nope"} {
			if _, err := svc.Get(octx, s.Tenant.ID, oid); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("other patient's view of %s: %v", oid, err)
			}
		}
		if l, err := svc.List(octx, s.Tenant.ID, uid); !apperr.Is(err, apperr.NotFound) || l != nil {
			t.Fatalf("other patient's list: %v", err)
		}

		// Not enough stock: a clear conflict, no order, no charge, no stock moved.
		before := gw.Charges()
		if _, err := place(s, octx, ouid, "test", orders.ItemRef{VariantID: vit.ID, Quantity: 4}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("over stock: %v", err)
		}
		if l, _ := svc.List(octx, s.Tenant.ID, ouid); len(l) != 0 || gw.Charges() != before || stockOf(t, s, vit.ID) != 3 {
			t.Fatalf("a refused order left traces: %d orders, %d charges", len(l), gw.Charges())
		}
		// The same variant twice is one reservation of the sum.
		o3, err := place(s, octx, ouid, "test", orders.ItemRef{VariantID: vit.ID, Quantity: 1}, orders.ItemRef{VariantID: vit.ID, Quantity: 1})
		if err != nil || stockOf(t, s, vit.ID) != 1 {
			t.Fatalf("duplicate lines: %v, stock %d", err, stockOf(t, s, vit.ID))
		}
		sysctx := access.WithActor(context.Background(), access.System("test", s.Tenant.ID))
		if err := svc.Move(sysctx, s.Tenant.ID, o3.ID, orders.Cancelled); err != nil || stockOf(t, s, vit.ID) != 3 {
			t.Fatalf("cancel: %v, stock %d", err, stockOf(t, s, vit.ID))
		}
		// Bad input changes nothing.
		for name, it := range map[string]orders.ItemRef{"unknown": {VariantID: id.New(), Quantity: 1}, "zero": {VariantID: vit.ID},
			"negative": {VariantID: vit.ID, Quantity: -1}} {
			if _, err := place(s, octx, ouid, "test", it); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := place(s, octx, ouid, "bitcoin", orders.ItemRef{VariantID: vit.ID, Quantity: 1}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("unknown gateway: %v", err)
		}

		// A declined payment cancels the order and gives the stock back.
		gw.Decline = func(r payment.Request) bool { return r.Amount == 1250+499+91 }
		if _, err := place(s, octx, ouid, "test", orders.ItemRef{VariantID: vit.ID, Quantity: 1}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("declined: %v", err)
		}
		gw.Decline = nil
		if l, _ := svc.List(octx, s.Tenant.ID, ouid); len(l) != 2 || l[0].Status != orders.Cancelled || stockOf(t, s, vit.ID) != 3 {
			t.Fatalf("declined order: %v, stock %d", l, stockOf(t, s, vit.ID))
		}

		// An invoice order holds stock until it runs out; the job cancels it.
		inv, err := place(s, octx, ouid, "invoice", orders.ItemRef{VariantID: vit.ID, Quantity: 3})
		if err != nil || inv.Status != orders.PendingPayment || stockOf(t, s, vit.ID) != 0 {
			t.Fatalf("invoice: %+v %v", inv, err)
		}
		if n, err := svc.ExpireReservations(context.Background()); err != nil || n != 0 {
			t.Fatalf("early expiry: %d %v", n, err)
		}
		s.Clock.Advance(orders.InvoiceTTL + time.Minute)
		if n, err := svc.ExpireReservations(context.Background()); err != nil || n != 1 {
			t.Fatalf("expiry: %d %v", n, err)
		}
		if got, _ := svc.Get(octx, s.Tenant.ID, inv.ID); got.Status != orders.Cancelled || stockOf(t, s, vit.ID) != 3 {
			t.Fatalf("expired order %s, stock %d", got.Status, stockOf(t, s, vit.ID))
		}

		// The state machine: a patient may not ship their own order... but
		// moves that are not allowed are refused for anyone.
		if err := svc.Move(ctx, s.Tenant.ID, o.ID, orders.Delivered); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("paid → delivered: %v", err)
		}
		sys := access.WithActor(context.Background(), access.System("test", s.Tenant.ID))
		for _, to := range []orders.Status{orders.Ready, orders.Shipped, orders.Delivered, orders.Refunded} {
			if err := svc.Move(sys, s.Tenant.ID, o.ID, to); err != nil {
				t.Fatalf("→ %s: %v", to, err)
			}
		}
		// Refunded after delivery: the stock does not come back.
		if stockOf(t, s, vit.ID) != 3 {
			t.Fatalf("stock after refund of a delivered order: %d", stockOf(t, s, vit.ID))
		}
	})
}

// TestRaceForLastUnits: 50 buyers race for 10 units.
func TestRaceForLastUnits(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := newEnv(t, e)
		v := product(t, s, "Glucose Meter", 2999, 10, false)
		type who struct {
			ctx context.Context
			uid string
		}
		buyers := make([]who, 50)
		for i := range buyers {
			buyers[i].ctx, buyers[i].uid = buyer(t, s, i)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		paid, conflicts := 0, 0
		var other []error
		for _, b := range buyers {
			wg.Go(func() {
				o, err := place(s, b.ctx, b.uid, "test", orders.ItemRef{VariantID: v.ID, Quantity: 1})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil && o.Status == orders.Paid:
					paid++
				case apperr.Is(err, apperr.Conflict):
					conflicts++
				default:
					other = append(other, err)
				}
			})
		}
		wg.Wait()
		if paid != 10 || conflicts != 40 || len(other) > 0 {
			t.Fatalf("paid %d, conflicts %d, other %v", paid, conflicts, other)
		}
		if n := stockOf(t, s, v.ID); n != 0 {
			t.Fatalf("stock %d", n)
		}
		if n := s.Gateway.Charges(); n != 10 {
			t.Fatalf("charges %d", n)
		}
		var rows int
		if err := s.Stores.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT COUNT(*) FROM orders WHERE status = 'paid'`).Scan(&rows); err != nil || rows != 10 {
			t.Fatalf("paid orders in the store: %d %v", rows, err)
		}
	})
}
