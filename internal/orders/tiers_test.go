package orders_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// tiered saves a product of one variant at 9.99 with volume prices 8.99 from
// 3 and 7.99 from 10.
func tiered(t *testing.T, s *env, stock int64) catalog.Variant {
	t.Helper()
	p := &catalog.Product{Name: "Test Strips", Variants: []catalog.Variant{{SKU: "TS-" + id.New()[24:], Price: 999, Stock: stock,
		PriceBreaks: []catalog.PriceBreak{{MinQuantity: 10, UnitPrice: 799}, {MinQuantity: 3, UnitPrice: 899}}}}}
	if err := s.Catalog.SaveProduct(context.Background(), s.Tenant.ID, p); err != nil {
		t.Fatal(err)
	}
	return p.Variants[0]
}

// TestVolumePriceBreaks: a line's unit price is the break for its quantity
// (N-1, N and above each break); the quote, the placed order and the sealed
// order agree, with a percentage code on top.
func TestVolumePriceBreaks(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := newEnv(t, e)
		ctx := context.Background()
		v := tiered(t, s, 100)
		svc := s.Orders
		for qty, want := range map[int64]int64{1: 999, 2: 999, 3: 899, 4: 899, 9: 899, 10: 799, 11: 799, 99: 799} {
			q, err := svc.QuoteItems(ctx, s.Tenant.ID, []orders.ItemRef{{VariantID: v.ID, Quantity: qty}}, "standard", "CA", "")
			if err != nil {
				t.Fatalf("quote %d: %v", qty, err)
			}
			if q.Items[0].UnitPrice != want || q.Subtotal != want*qty {
				t.Errorf("quantity %d: unit %d, subtotal %d; want unit %d", qty, q.Items[0].UnitPrice, q.Subtotal, want)
			}
		}
		p := promo.Promotion{ID: id.New(), TenantID: s.Tenant.ID, Code: "PCT10", Kind: promo.Percent, Value: 10,
			StartsAt: s.Clock.Now().Add(-time.Hour), CreatedAt: s.Clock.Now()}
		if err := s.Promos.Create(ctx, &p); err != nil {
			t.Fatal(err)
		}
		q, err := svc.QuoteItems(ctx, s.Tenant.ID, []orders.ItemRef{{VariantID: v.ID, Quantity: 3}}, "standard", "CA", "PCT10")
		if err != nil {
			t.Fatal(err)
		}
		// 3 × 8.99 = 26.97; 10 % = 2.70 (half up); tax 7.25 % of 24.27 = 1.76.
		if q.Subtotal != 2697 || q.Discount != 270 || q.Tax != 176 || q.Total != 2697-270+499+176 {
			t.Fatalf("quote with a code: %+v", q)
		}
		bctx, uid := buyer(t, s, 1)
		o, err := placeWith(s, bctx, uid, "pct10", orders.ItemRef{VariantID: v.ID, Quantity: 3})
		if err != nil {
			t.Fatal(err)
		}
		if o.Items[0].UnitPrice != 899 || o.Subtotal != q.Subtotal || o.Discount != q.Discount || o.Total != q.Total {
			t.Fatalf("placed %+v, quoted %+v", o.Details, q)
		}
		sealed, err := svc.Get(bctx, s.Tenant.ID, o.ID)
		if err != nil || sealed.Items[0].UnitPrice != 899 || sealed.Items[0].Total() != 2697 || sealed.Total != q.Total {
			t.Fatalf("sealed order %+v %v", sealed, err)
		}
	})
}

// TestReleaseTwiceAtOnce: releases of the same order racing (the expiry job
// and a cancel) give its stock back once.
func TestReleaseTwiceAtOnce(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := newEnv(t, e)
		ctx := context.Background()
		v := tiered(t, s, 20)
		bctx, uid := buyer(t, s, 1)
		o, err := place(s, bctx, uid, "test", orders.ItemRef{VariantID: v.ID, Quantity: 3})
		if err != nil {
			t.Fatal(err)
		}
		stock := store.NewStock(s.Stores.Catalog)
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() {
				if err := stock.Release(ctx, s.Tenant.ID, o.ID, s.Clock.Now()); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := stockOf(t, s, v.ID); n != 20 {
			t.Fatalf("stock %d after racing releases, want 20", n)
		}
	})
}
