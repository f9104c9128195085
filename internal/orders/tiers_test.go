package orders_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// tiered saves a product of one variant at 9.99 with volume prices 8.99 from
// 3 and 7.99 from 10.
func tiered(t *testing.T, s *testkit.Server, stock int64) catalog.Variant {
	t.Helper()
	p := &catalog.Product{Name: "Test Strips", Variants: []catalog.Variant{{SKU: "TS-" + id.New()[24:], Price: 999, Stock: stock,
		PriceBreaks: []catalog.PriceBreak{{MinQuantity: 10, UnitPrice: 799}, {MinQuantity: 3, UnitPrice: 899}}}}}
	if err := s.Catalog().SaveProduct(context.Background(), s.Tenant.ID, p); err != nil {
		t.Fatal(err)
	}
	return p.Variants[0]
}

// TestVolumePriceBreaks: a line's unit price is the break for its quantity
// (N-1, N and above each break); the quote, the placed order and the sealed
// order agree, with a percentage code on top.
func TestVolumePriceBreaks(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		v := tiered(t, s, 100)
		svc := s.Services().Orders
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
		if err := svc.Promotions().Create(ctx, &p); err != nil {
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

// TestStockLevelsKeepTheCacheWarm: an order that leaves a variant's
// availability level as it was does not change the catalog version (the
// cached pages stay); one that crosses a level (low, sold out, back in) does,
// and the product page then shows the new level.
func TestStockLevelsKeepTheCacheWarm(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		v := tiered(t, s, 20)
		version := func() int64 {
			t.Helper()
			n, err := store.NewCatalogRepo(s.Stores.Catalog).Version(ctx, s.Tenant.ID)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		page := func() string {
			t.Helper()
			// The catalog version is re-read at most once a second.
			s.Clock.Advance(2 * time.Second)
			resp, err := http.Get(s.URL + "/products/test-strips")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return string(b)
		}
		bctx, uid := buyer(t, s, 1)
		buy := func(qty int64) *orders.Order {
			t.Helper()
			o, err := place(s, bctx, uid, "test", orders.ItemRef{VariantID: v.ID, Quantity: qty})
			if err != nil {
				t.Fatal(err)
			}
			return o
		}
		if !strings.Contains(page(), "In stock") {
			t.Fatal("not in stock at first")
		}
		v0 := version()
		buy(10) // 20 → 10: still in stock
		buy(5)  // 10 → 5: still in stock
		if n := version(); n != v0 {
			t.Fatalf("orders that left the stock in stock changed the version %d → %d", v0, n)
		}
		if !strings.Contains(page(), "In stock") {
			t.Fatal("page changed")
		}
		low := buy(1) // 5 → 4: only a few left
		v1 := version()
		if v1 == v0 {
			t.Fatal("crossing into low stock did not change the version")
		}
		if body := page(); !strings.Contains(body, "Only a few left") || strings.Contains(body, "In stock") {
			t.Fatalf("the page does not show low stock:\n%s", body)
		}
		last := buy(4) // 4 → 0: sold out
		v2 := version()
		if v2 == v1 {
			t.Fatal("selling the last unit did not change the version")
		}
		if body := page(); !strings.Contains(body, "Out of stock") || strings.Contains(body, "In stock") || strings.Contains(body, `name="quantity"`) {
			t.Fatalf("the page does not show sold out:\n%s", body)
		}
		if ps, _ := s.Catalog().Search(ctx, s.Tenant.ID, catalog.Query{InStock: true, MinPrice: -1, MaxPrice: -1}); ps.Total != 0 {
			t.Fatal("the in-stock filter still finds it")
		}
		// Cancelling gives stock back: 0 → 4 is a change, then 4 → 5 another.
		sys := access.WithActor(ctx, access.System("test", s.Tenant.ID))
		if err := s.Services().Orders.Move(sys, s.Tenant.ID, last.ID, orders.Cancelled); err != nil {
			t.Fatal(err)
		}
		v3 := version()
		if v3 == v2 || !strings.Contains(page(), "Only a few left") {
			t.Fatal("stock back from a cancelled order does not show")
		}
		if err := s.Services().Orders.Move(sys, s.Tenant.ID, low.ID, orders.Cancelled); err != nil {
			t.Fatal(err)
		}
		if version() == v3 || !strings.Contains(page(), "In stock") {
			t.Fatal("back in stock does not show")
		}
		if n := stockOf(t, s, v.ID); n != 5 {
			t.Fatalf("stock %d, want 5", n)
		}
	})
}

// TestReleaseTwiceAtOnce: releases of the same order racing (the expiry job
// and a cancel) give its stock back once.
func TestReleaseTwiceAtOnce(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
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
