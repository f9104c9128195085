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
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

func staff(s *env, role access.Role) context.Context {
	return access.WithActor(context.Background(), access.Actor{ID: id.New(), Role: role, TenantID: s.Tenant.ID})
}

// notFound reports whether err answers the plain 404 (not found or denied).
func notFound(err error) bool {
	return apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Denied)
}

// TestQueuePages: the queue pages through every order of the statuses once,
// newest first, and only order staff of the tenant may read it.
func TestQueuePages(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := newEnv(t, e)
		svc := s.Orders
		v := product(t, s, "Test Strips", 1000, 20, false)
		ctx, uid := buyer(t, s, 1)
		var placed []string
		for range 5 {
			o, err := place(s, ctx, uid, "test", orders.ItemRef{VariantID: v.ID, Quantity: 1})
			if err != nil {
				t.Fatal(err)
			}
			placed = append(placed, o.ID)
			s.Clock.Advance(time.Second)
		}
		inv, err := place(s, ctx, uid, "invoice", orders.ItemRef{VariantID: v.ID, Quantity: 1})
		if err != nil {
			t.Fatal(err)
		}
		cs := staff(s, access.RoleCustomerService)
		var got []string
		after := ""
		for page := 0; page < 5; page++ {
			rows, err := svc.Queue(cs, s.Tenant.ID, []orders.Status{orders.Paid}, after, 2)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				if r.Status != orders.Paid || r.Reference == "" {
					t.Fatalf("row %+v", r)
				}
				got = append(got, r.ID)
			}
			if len(rows) < 2 {
				break
			}
			after = rows[len(rows)-1].ID
		}
		if len(got) != 5 {
			t.Fatalf("paged %d orders, want 5", len(got))
		}
		for i := range got {
			if got[i] != placed[4-i] {
				t.Fatalf("page order %v, want newest first of %v", got, placed)
			}
		}
		rows, err := svc.Queue(cs, s.Tenant.ID, orders.QueueStatuses, "", 50)
		if err != nil || len(rows) != 6 || rows[0].ID != inv.ID || rows[0].Status != orders.PendingPayment {
			t.Fatalf("default queue: %d %v", len(rows), err)
		}
		if _, err := svc.Queue(cs, s.Tenant.ID, []orders.Status{"lost"}, "", 50); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("unknown status: %v", err)
		}
		if _, err := svc.Queue(cs, s.Tenant.ID, orders.QueueStatuses, "nope", 50); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("bad cursor: %v", err)
		}
		for _, c := range []context.Context{ctx, staff(s, access.RoleStoreManager), staff(s, access.RoleAdmin), staff(s, access.RoleClinician),
			access.WithActor(context.Background(), access.Actor{ID: id.New(), Role: access.RolePharmacist, TenantID: id.New()})} {
			if _, err := svc.Queue(c, s.Tenant.ID, orders.QueueStatuses, "", 50); !apperr.Is(err, apperr.Denied) {
				t.Fatalf("queue for someone without order work: %v", err)
			}
		}
	})
}

// TestAdvanceRules: each step for each role and status, against the rule
// table, without HTTP; and five refunds at once refund once.
func TestAdvanceRules(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := newEnv(t, e)
		svc := s.Orders
		gw := s.Gateway
		v := product(t, s, "Lancets", 500, 20, false)
		ctx, uid := buyer(t, s, 1)
		n := s.Links

		o, err := place(s, ctx, uid, "test", orders.ItemRef{VariantID: v.ID, Quantity: 1})
		if err != nil {
			t.Fatal(err)
		}
		// A patient, even the owner, takes no staff step; nor does a role
		// without order work: the same NotFound as a missing order.
		for _, c := range []context.Context{ctx, staff(s, access.RoleStoreManager), staff(s, access.RoleCompliance)} {
			if _, err := svc.Advance(c, s.Tenant.ID, o.ID, orders.StepPrepare, n); !notFound(err) {
				t.Fatalf("step without order work: %v", err)
			}
		}
		if _, err := svc.Advance(staff(s, access.RoleFulfillment), s.Tenant.ID, o.ID, "teleport", n); !notFound(err) {
			t.Fatalf("unknown step: %v", err)
		}
		if _, err := svc.Advance(staff(s, access.RolePharmacist), s.Tenant.ID, o.ID, orders.StepPrepare, n); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("pharmacist prepares: %v", err)
		}
		if _, err := svc.Advance(staff(s, access.RoleFulfillment), s.Tenant.ID, o.ID, orders.StepShip, n); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("ship a paid order: %v", err)
		}
		// Five refunds at once: one refund at the gateway, one refunded order.
		var wg sync.WaitGroup
		errs := make([]error, 5)
		for i := range errs {
			wg.Go(func() {
				_, errs[i] = svc.Advance(staff(s, access.RoleCustomerService), s.Tenant.ID, o.ID, orders.StepRefund, n)
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !apperr.Is(err, apperr.Conflict):
				t.Fatalf("concurrent refund: %v", err)
			}
		}
		if ok != 1 || gw.Refunded() != o.Total {
			t.Fatalf("%d refunds succeeded, %d refunded of %d", ok, gw.Refunded(), o.Total)
		}
		got, err := svc.Get(ctx, s.Tenant.ID, o.ID)
		if err != nil || got.Status != orders.Refunded || stockOf(t, s, v.ID) != 20 {
			t.Fatalf("after refunds: %v %v stock %d", got, err, stockOf(t, s, v.ID))
		}

		// The rule table as the page sees it.
		cases := []struct {
			st   orders.Step
			role access.Role
			from orders.Status
			want bool
		}{
			{orders.StepRelease, access.RolePharmacist, orders.AwaitingRx, true},
			{orders.StepRelease, access.RoleFulfillment, orders.AwaitingRx, false},
			{orders.StepRelease, access.RoleCustomerService, orders.AwaitingRx, false},
			{orders.StepPrepare, access.RoleFulfillment, orders.Paid, true},
			{orders.StepPrepare, access.RoleFulfillment, orders.AwaitingRx, false},
			{orders.StepShip, access.RoleFulfillment, orders.Ready, true},
			{orders.StepShip, access.RoleCustomerService, orders.Ready, false},
			{orders.StepCancel, access.RoleCustomerService, orders.Shipped, false},
			{orders.StepCancel, access.RoleCustomerService, orders.Ready, true},
			{orders.StepRefund, access.RoleCustomerService, orders.Delivered, true},
			{orders.StepRefund, access.RoleCustomerService, orders.Cancelled, false},
			{orders.StepMarkPaid, access.RoleCustomerService, orders.PendingPayment, true},
			{orders.StepMarkPaid, access.RoleAdmin, orders.PendingPayment, false},
		}
		for _, c := range cases {
			if got := c.st.Allowed(c.role, c.from); got != c.want {
				t.Errorf("%s by %s from %s: %v", c.st, c.role, c.from, got)
			}
		}
	})
}
