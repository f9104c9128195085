package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestProductEditKeepsHeldStock: editing a product (its name, a variant's
// price, two variants swapping SKUs) keeps the stock held for an order on a
// kept variant; removing a variant releases what was held on it with the
// variant. Before, every save replaced all variants and the cascade dropped
// every reservation, so held units were never given back. Both engines.
func TestProductEditKeepsHeldStock(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		db := testkit.OpenStore(t, e, store.Catalog)
		clk := clock.NewFake(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
		shop := newTenant("shop", "shop.localhost")
		if err := store.NewTenants(db).Create(ctx, shop); err != nil {
			t.Fatal(err)
		}
		svc := catalog.NewService(store.NewCatalogRepo(db), clk)
		p := &catalog.Product{Name: "Test Strips", Variants: []catalog.Variant{
			{SKU: "STRIP-50", Name: "50", Price: 1500, Stock: 10},
			{SKU: "STRIP-100", Name: "100", Price: 2500, Stock: 10},
			{SKU: "STRIP-200", Name: "200", Price: 4500, Stock: 10},
		}}
		if err := svc.SaveProduct(ctx, shop.ID, p); err != nil {
			t.Fatal(err)
		}
		stock := store.NewStock(db)
		now := clk.Now()
		kept, gone := id.New(), id.New()
		if err := stock.Reserve(ctx, shop.ID, kept, []orders.StockItem{{VariantID: p.Variants[0].ID, Quantity: 2, Label: "strips"}},
			orders.PromoUse{}, now, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := stock.Reserve(ctx, shop.ID, gone, []orders.StockItem{{VariantID: p.Variants[2].ID, Quantity: 1, Label: "strips"}},
			orders.PromoUse{}, now, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		// The edit: a new name, a new price, the first two variants swap
		// SKUs, the third is removed.
		p.Name = "Blood Glucose Test Strips"
		p.Variants[0].SKU, p.Variants[1].SKU = p.Variants[1].SKU, p.Variants[0].SKU
		p.Variants[1].Price = 2400
		p.Variants = p.Variants[:2]
		if err := svc.SaveProduct(ctx, shop.ID, p); err != nil {
			t.Fatalf("edit: %v", err)
		}
		held, err := stock.Reserved(ctx, shop.ID, kept)
		if err != nil {
			t.Fatal(err)
		}
		if len(held) != 1 {
			t.Fatalf("the stock held on a kept variant is gone after an edit: %v", held)
		}
		if held, err := stock.Reserved(ctx, shop.ID, gone); err != nil || len(held) != 0 {
			t.Fatalf("a removed variant's reservation: %v, %v", held, err)
		}
		got, err := store.NewCatalogRepo(db).ProductBySlug(ctx, shop.ID, p.Slug)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Variants) != 2 || got.Variants[0].SKU != "STRIP-100" || got.Variants[1].SKU != "STRIP-50" || got.Variants[1].Price != 2400 {
			t.Fatalf("variants after the edit: %+v", got.Variants)
		}
	})
}
