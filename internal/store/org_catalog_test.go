package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestSharedStockAcrossBrands: an organisation variant sold by two brands has
// one count. An order in one brand takes it once, from the organisation's
// variant, and both brands' copies show what is left; a sister brand cannot
// oversell it; a release gives it back once; a level change bumps both
// brands' catalog versions.
func TestSharedStockAcrossBrands(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		db := testkit.OpenStore(t, e, store.Catalog)
		clk := clock.NewFake(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
		tenants := store.NewTenants(db)
		now := clk.Now()
		org := &tenant.Organisation{ID: id.New(), Slug: "group", Name: "Care Group", CreatedAt: now, UpdatedAt: now}
		if err := tenants.CreateOrg(ctx, org); err != nil {
			t.Fatal(err)
		}
		a, b := newTenant("diabetes", "diabetes.localhost"), newTenant("travel", "travel.localhost")
		for _, x := range []*tenant.Tenant{a, b} {
			x.OrgID = org.ID
			if err := tenants.Create(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		repo := store.NewOrgCatalogRepo(db)
		p := &catalog.Product{Name: "Shared Sunscreen", Variants: []catalog.Variant{{SKU: "SUN-1", Price: 1000, Stock: 6}}}
		if err := catalog.NewService(repo, clk).SaveProduct(ctx, org.ID, p); err != nil {
			t.Fatal(err)
		}
		for _, x := range []*tenant.Tenant{a, b} {
			if err := repo.Choose(ctx, x.ID, p.ID, true, now); err != nil {
				t.Fatal(err)
			}
		}
		cat := store.NewCatalogRepo(db)
		variantIn := func(brand string) catalog.Variant {
			t.Helper()
			c, err := cat.ProductBySlug(ctx, brand, "shared-sunscreen")
			if err != nil {
				t.Fatal(err)
			}
			return c.Variants[0]
		}
		counts := func(want int64) {
			t.Helper()
			o, err := repo.ProductByID(ctx, org.ID, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if o.Variants[0].Stock != want || variantIn(a.ID).Stock != want || variantIn(b.ID).Stock != want {
				t.Fatalf("stock: organisation %d, A %d, B %d; want %d", o.Variants[0].Stock, variantIn(a.ID).Stock, variantIn(b.ID).Stock, want)
			}
		}
		stock := store.NewStock(db)
		vB0, _ := cat.Version(ctx, b.ID)
		orderA := id.New()
		if err := stock.Reserve(ctx, a.ID, orderA, []orders.StockItem{{VariantID: variantIn(a.ID).ID, Quantity: 3, Label: "Sunscreen"}},
			orders.PromoUse{}, now, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		counts(3)
		if v, _ := cat.Version(ctx, b.ID); v <= vB0 {
			t.Errorf("B's catalog version did not move with the shared level (%d -> %d)", vB0, v)
		}
		// B cannot sell 4 of the 3 left; nothing moves.
		err := stock.Reserve(ctx, b.ID, id.New(), []orders.StockItem{{VariantID: variantIn(b.ID).ID, Quantity: 4, Label: "Sunscreen"}},
			orders.PromoUse{}, now, now.Add(time.Hour))
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("oversold across brands: %v", err)
		}
		counts(3)
		// A's variant is not B's to reserve.
		if err := stock.Reserve(ctx, b.ID, id.New(), []orders.StockItem{{VariantID: variantIn(a.ID).ID, Quantity: 1, Label: "Sunscreen"}},
			orders.PromoUse{}, now, now.Add(time.Hour)); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("B reserved A's variant: %v", err)
		}
		counts(3)
		if err := stock.Release(ctx, a.ID, orderA, now); err != nil {
			t.Fatal(err)
		}
		if err := stock.Release(ctx, a.ID, orderA, now); err != nil {
			t.Fatal(err)
		}
		counts(6)
		// A change at the organisation (new stock) reaches both copies; B's
		// price stays B's.
		if err := repo.SetPrice(ctx, b.ID, p.Variants[0].ID, 1250, now); err != nil {
			t.Fatal(err)
		}
		p.Variants[0].Stock = 40
		if err := catalog.NewService(repo, clk).SaveProduct(ctx, org.ID, p); err != nil {
			t.Fatal(err)
		}
		counts(40)
		if va, vb := variantIn(a.ID), variantIn(b.ID); va.Price != 1000 || vb.Price != 1250 {
			t.Errorf("prices after the organisation's change: A %d, B %d", va.Price, vb.Price)
		}
	})
}
