package orders_test

import (
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/payment"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestChargedOrdersAreNeverCancelled: when the gateway takes the money but
// its answer is lost, the order is settled by asking the gateway, at once
// or later by reconciliation; while the gateway cannot be asked, the order
// is neither cancelled by its expired hold nor marked paid.
func TestChargedOrdersAreNeverCancelled(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := newEnv(t, e)
		svc, gw := s.Orders, s.Gateway
		v := product(t, s, "Test Strips", 1000, 10, false)
		ctx, uid := buyer(t, s, 1)
		gw.LoseAnswer = func(payment.Request) bool { return true }

		// The answer is lost, the gateway says it was paid: paid now.
		o, err := place(s, ctx, uid, "test", orders.ItemRef{VariantID: v.ID, Quantity: 1})
		if err != nil || o.Status != orders.Paid {
			t.Fatalf("lost answer, gateway reachable: %+v %v", o, err)
		}

		// The answer is lost and the gateway cannot be asked: the order waits.
		gw.Unreachable = true
		o2, err := place(s, ctx, uid, "test", orders.ItemRef{VariantID: v.ID, Quantity: 2})
		if err != nil || o2.Status != orders.PendingPayment {
			t.Fatalf("lost answer, gateway unreachable: %+v %v", o2, err)
		}
		// Reconciliation and the expired hold leave it alone while the
		// gateway cannot say.
		s.Clock.Advance(orders.ReservationTTL + time.Minute)
		if n, err := svc.ReconcilePayments(ctx); n != 0 || err == nil {
			t.Fatalf("reconcile with the gateway down: %d %v", n, err)
		}
		if _, err := svc.ExpireReservations(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := svc.Get(ctx, s.Tenant.ID, o2.ID)
		if err != nil || got.Status != orders.PendingPayment || stockOf(t, s, v.ID) != 7 {
			t.Fatalf("while the gateway is down: %s, stock %d, %v", got.Status, stockOf(t, s, v.ID), err)
		}
		// Back up: reconciliation settles it, stock confirmed, charged once.
		gw.Unreachable = false
		if n, err := svc.ReconcilePayments(ctx); n != 1 || err != nil {
			t.Fatalf("reconcile: %d %v", n, err)
		}
		got, err = svc.Get(ctx, s.Tenant.ID, o2.ID)
		if err != nil || got.Status != orders.Paid || gw.Charges() != 2 || stockOf(t, s, v.ID) != 7 {
			t.Fatalf("after reconciliation: %s, %d charges, stock %d, %v", got.Status, gw.Charges(), stockOf(t, s, v.ID), err)
		}
		res, err := store.NewStock(s.Stores.Catalog).Reserved(ctx, s.Tenant.ID, o2.ID)
		if err != nil || res[v.ID] != "confirmed" {
			t.Fatalf("reservation %v %v", res, err)
		}

		// An order nobody paid (an invoice: its gateway cannot be asked)
		// whose hold runs out is still cancelled, its stock back.
		gw.LoseAnswer = nil
		o3, err := place(s, ctx, uid, "invoice", orders.ItemRef{VariantID: v.ID, Quantity: 1})
		if err != nil || o3.Status != orders.PendingPayment {
			t.Fatalf("invoice: %+v %v", o3, err)
		}
		s.Clock.Advance(orders.InvoiceTTL + time.Minute)
		if _, err := svc.ExpireReservations(ctx); err != nil {
			t.Fatal(err)
		}
		if got, _ := svc.Get(ctx, s.Tenant.ID, o3.ID); got.Status != orders.Cancelled || stockOf(t, s, v.ID) != 7 {
			t.Fatalf("expired invoice order: %s, stock %d", got.Status, stockOf(t, s, v.ID))
		}
	})
}
