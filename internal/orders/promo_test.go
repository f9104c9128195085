package orders_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestPromotionCodes: percentage and fixed codes, validity window, usage
// limit (given back when the order is cancelled), minimum quantity; a code
// that cannot be used is a clear error on the code field and changes nothing.
func TestPromotionCodes(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := newEnv(t, e)
		ctx := context.Background()
		now := s.Clock.Now()
		for _, p := range []promo.Promotion{
			{Code: "pct10", Kind: promo.Percent, Value: 10},
			{Code: "FIVE-OFF", Kind: promo.Fixed, Value: 500, Currency: "USD"},
			{Code: "EXPIRED", Kind: promo.Percent, Value: 50, StartsAt: now.Add(-48 * time.Hour), EndsAt: now.Add(-time.Hour)},
			{Code: "FUTURE", Kind: promo.Percent, Value: 50, StartsAt: now.Add(time.Hour)},
			{Code: "ONCE", Kind: promo.Percent, Value: 20, UsageLimit: 1},
			{Code: "MIN3", Kind: promo.Percent, Value: 20, MinQuantity: 3},
		} {
			p.ID, p.TenantID, p.CreatedAt = id.New(), s.Tenant.ID, now
			if p.StartsAt.IsZero() {
				p.StartsAt = now.Add(-time.Hour)
			}
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
			if err := s.Promos.Create(ctx, &p); err != nil {
				t.Fatal(err)
			}
		}
		bad := promo.Promotion{Code: "x", Kind: "bogus"}
		if err := bad.Validate(); !apperr.Is(err, apperr.Invalid) {
			t.Fatal("a bad promotion validated")
		}
		v := product(t, s, "Vitamin D3", 1250, 20, false)
		bctx, uid := buyer(t, s, 1)
		two := orders.ItemRef{VariantID: v.ID, Quantity: 2}

		// 10% of 25.00 = 2.50; CA tax 7.25% of 22.50 = 1.63; shipping 4.99.
		o, err := placeWith(s, bctx, uid, " pct10 ", two)
		if err != nil || o.Discount != 250 || o.Tax != 163 || o.Total != 2250+163+499 || o.PromoCode != "PCT10" {
			t.Fatalf("percent: %+v %v", o, err)
		}
		if o, err := placeWith(s, bctx, uid, "five-off", two); err != nil || o.Discount != 500 {
			t.Fatalf("fixed: %+v %v", o, err)
		}
		charges := s.Gateway.Charges()
		for code, want := range map[string]string{"EXPIRED": "expired", "FUTURE": "not valid yet", "NOPE": "not valid", "MIN3": "at least 3"} {
			_, err := placeWith(s, bctx, uid, code, two)
			if ae := apperr.As(err); ae == nil || ae.Code != apperr.Invalid || !strings.Contains(ae.Fields["promo"], want) {
				t.Errorf("%s: %v, want %q on the code field", code, err, want)
			}
		}
		if stockOf(t, s, v.ID) != 16 || s.Gateway.Charges() != charges {
			t.Fatalf("a refused code moved stock (%d) or money", stockOf(t, s, v.ID))
		}
		// Usage limit: two buyers race for a code with one use left.
		var wg sync.WaitGroup
		var mu sync.Mutex
		var won []*orders.Order
		for i := range 5 {
			c, u := buyer(t, s, 10+i)
			wg.Go(func() {
				o, err := placeWith(s, c, u, "ONCE", orders.ItemRef{VariantID: v.ID, Quantity: 1})
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					won = append(won, o)
				} else if !apperr.Is(err, apperr.Invalid) {
					t.Errorf("race: %v", err)
				}
			})
		}
		wg.Wait()
		if len(won) != 1 || stockOf(t, s, v.ID) != 15 {
			t.Fatalf("%d orders used a one-use code; stock %d", len(won), stockOf(t, s, v.ID))
		}
		// Cancelling the order gives the use back.
		sys := access.WithActor(ctx, access.System("test", s.Tenant.ID))
		if err := s.Orders.Move(sys, s.Tenant.ID, won[0].ID, orders.Cancelled); err != nil {
			t.Fatal(err)
		}
		if _, err := placeWith(s, bctx, uid, "ONCE", two); err != nil {
			t.Fatalf("the use was not given back: %v", err)
		}
	})
}

// TestPromotionLastUseAndDiscountGiven: a code with one use left (of two),
// used by two buyers at the same moment, is used once; each use records the
// discount it gave, which the manager's figures add up and a cancelled order
// takes back; a paused code is refused at checkout with nothing held or
// charged, and works again once resumed. Both engines.
func TestPromotionLastUseAndDiscountGiven(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := newEnv(t, e)
		ctx := context.Background()
		now := s.Clock.Now()
		p := &promo.Promotion{TenantID: s.Tenant.ID, Code: "TWICE", Kind: promo.Percent, Value: 10, UsageLimit: 2, StartsAt: now.Add(-time.Hour)}
		if err := s.Promos.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
		v := product(t, s, "Test strips", 2000, 20, false)
		bctx, uid := buyer(t, s, 1)
		first, err := placeWith(s, bctx, uid, "TWICE", orders.ItemRef{VariantID: v.ID, Quantity: 1})
		if err != nil || first.Discount != 200 {
			t.Fatalf("first use: %+v %v", first, err)
		}
		// Two buyers, one use left, at the same moment.
		var wg sync.WaitGroup
		var mu sync.Mutex
		var won []*orders.Order
		start := make(chan struct{})
		for i := range 2 {
			c, u := buyer(t, s, 20+i)
			wg.Go(func() {
				<-start
				o, err := placeWith(s, c, u, "TWICE", orders.ItemRef{VariantID: v.ID, Quantity: 3})
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					won = append(won, o)
				} else if ae := apperr.As(err); ae == nil || ae.Code != apperr.Invalid || ae.Fields["promo"] == "" {
					t.Errorf("the loser's error: %v, want it on the code field", err)
				}
			})
		}
		close(start)
		wg.Wait()
		if len(won) != 1 || won[0].Discount != 600 || stockOf(t, s, v.ID) != 16 || s.Gateway.Charges() != 2 {
			t.Fatalf("%d orders used the last use; stock %d; %d charges", len(won), stockOf(t, s, v.ID), s.Gateway.Charges())
		}
		got, err := s.Promos.Get(ctx, s.Tenant.ID, p.ID)
		if err != nil || got.Used != 2 || len(got.Given) != 1 || got.Given[0] != (promo.Amount{Minor: 800, Currency: "USD"}) {
			t.Fatalf("uses and discount given: %+v %v", got, err)
		}
		// Cancelling takes the use and its discount back.
		sys := access.WithActor(ctx, access.System("test", s.Tenant.ID))
		if err := s.Orders.Move(sys, s.Tenant.ID, won[0].ID, orders.Cancelled); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Promos.Get(ctx, s.Tenant.ID, p.ID); got.Used != 1 || len(got.Given) != 1 || got.Given[0].Minor != 200 {
			t.Fatalf("after the cancel: %+v", got)
		}
		// Paused: refused, nothing held, nothing charged; resumed: works.
		if err := s.Promos.Pause(ctx, s.Tenant.ID, p.ID); err != nil {
			t.Fatal(err)
		}
		charges, stock := s.Gateway.Charges(), stockOf(t, s, v.ID)
		_, err = placeWith(s, bctx, uid, "TWICE", orders.ItemRef{VariantID: v.ID, Quantity: 1})
		if ae := apperr.As(err); ae == nil || !strings.Contains(ae.Fields["promo"], "paused") {
			t.Fatalf("paused code: %v", err)
		}
		if s.Gateway.Charges() != charges || stockOf(t, s, v.ID) != stock {
			t.Fatal("a paused code moved stock or money")
		}
		// The hold itself refuses a code paused after the quote was made.
		if err := store.NewStock(s.Stores.Catalog).Reserve(ctx, s.Tenant.ID, id.New(), []orders.StockItem{{VariantID: v.ID, Quantity: 1, Label: "Test strips"}},
			orders.PromoUse{PromotionID: p.ID, Discount: 100, Currency: "USD"}, now, now.Add(time.Minute)); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("a hold with a paused code: %v", err)
		}
		if err := s.Promos.Resume(ctx, s.Tenant.ID, p.ID); err != nil {
			t.Fatal(err)
		}
		if o, err := placeWith(s, bctx, uid, "TWICE", orders.ItemRef{VariantID: v.ID, Quantity: 1}); err != nil || o.Discount != 200 {
			t.Fatalf("resumed: %+v %v", o, err)
		}
	})
}
