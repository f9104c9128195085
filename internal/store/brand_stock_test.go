package store_test

import (
	"context"
	"fmt"
	"sync"
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

// TestBrandOwnStock: a brand may switch its copy of an organisation variant
// to its own stock. Two brands on the shared stock racing for its last unit
// sell it once; the brand on its own stock sells from its own count, never
// the organisation's (not even when its own runs short), keeps that count
// across the organisation's changes, and gets the shared count back when it
// switches back. Multi-line orders of sister brands over the same shared
// variants, in parallel, do not deadlock (PostgreSQL) and take each unit
// once. Both engines.
func TestBrandOwnStock(t *testing.T) {
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
		a, b, c := newTenant("diabetes", "diabetes.localhost"), newTenant("travel", "travel.localhost"), newTenant("skin", "skin.localhost")
		brands := []*tenant.Tenant{a, b, c}
		for _, x := range brands {
			x.OrgID = org.ID
			if err := tenants.Create(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		repo := store.NewOrgCatalogRepo(db)
		svc := catalog.NewService(repo, clk)
		p := &catalog.Product{Name: "Shared Sunscreen", Variants: []catalog.Variant{{SKU: "SUN-1", Price: 1000, Stock: 1}}}
		if err := svc.SaveProduct(ctx, org.ID, p); err != nil {
			t.Fatal(err)
		}
		// Four more shared products for the multi-line orders.
		var more []*catalog.Product
		for i := range 4 {
			m := &catalog.Product{Name: fmt.Sprintf("Plaster %d", i), Variants: []catalog.Variant{{SKU: fmt.Sprintf("PL-%d", i), Price: 100, Stock: 1000}}}
			if err := svc.SaveProduct(ctx, org.ID, m); err != nil {
				t.Fatal(err)
			}
			more = append(more, m)
		}
		for _, x := range brands {
			for _, q := range append([]*catalog.Product{p}, more...) {
				if err := repo.Choose(ctx, x.ID, q.ID, true, now); err != nil {
					t.Fatal(err)
				}
			}
		}
		sun := p.Variants[0].ID
		// Own stock needs a copy: a brand that never chose the product is
		// refused; another organisation's variant is absent.
		if err := repo.SetOwnStock(ctx, c.ID, id.New(), 5, now); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("own stock of an unknown variant: %v", err)
		}
		cat := store.NewCatalogRepo(db)
		variantIn := func(brand, slug string) catalog.Variant {
			t.Helper()
			x, err := cat.ProductBySlug(ctx, brand, slug)
			if err != nil {
				t.Fatal(err)
			}
			return x.Variants[0]
		}
		orgCount := func(vid string) int64 {
			t.Helper()
			o, err := repo.ProductByID(ctx, org.ID, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if vid == sun {
				return o.Variants[0].Stock
			}
			for _, m := range more {
				if m.Variants[0].ID == vid {
					x, err := repo.ProductByID(ctx, org.ID, m.ID)
					if err != nil {
						t.Fatal(err)
					}
					return x.Variants[0].Stock
				}
			}
			t.Fatal("no such variant")
			return 0
		}
		vC0, _ := cat.Version(ctx, c.ID)
		if err := repo.SetOwnStock(ctx, c.ID, sun, 5, now); err != nil {
			t.Fatal(err)
		}
		if v, _ := cat.Version(ctx, c.ID); v <= vC0 {
			t.Error("switching to own stock did not bump the brand's catalog version")
		}
		offers, err := repo.Offers(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range offers {
			if o.Product.ID == p.ID && o.OwnStock[sun] != 5 {
				t.Fatalf("offers show own stock %v", o.OwnStock)
			}
		}
		stock := store.NewStock(db)
		reserve := func(brand *tenant.Tenant, slug string, qty int64) (string, error) {
			oid := id.New()
			return oid, stock.Reserve(ctx, brand.ID, oid, []orders.StockItem{{VariantID: variantIn(brand.ID, slug).ID, Quantity: qty, Label: slug}},
				orders.PromoUse{}, now, now.Add(time.Hour))
		}
		// The race: A and B both buy the last shared unit while C sells from
		// its own stock, at once. Rounds, as one round may not overlap.
		for round := range 10 {
			var wg sync.WaitGroup
			errs := make([]error, 3)
			for i, x := range brands {
				wg.Go(func() { _, errs[i] = reserve(x, "shared-sunscreen", 1) })
			}
			wg.Wait()
			won := 0
			for _, err := range errs[:2] {
				switch {
				case err == nil:
					won++
				case !apperr.Is(err, apperr.Conflict):
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if won != 1 || errs[2] != nil && round < 5 {
				t.Fatalf("round %d: %d of A and B sold the last shared unit; C: %v", round, won, errs[2])
			}
			if n := orgCount(sun); n != 0 {
				t.Fatalf("round %d: shared count %d after the race", round, n)
			}
			if va, vb := variantIn(a.ID, "shared-sunscreen"), variantIn(b.ID, "shared-sunscreen"); va.Stock != 0 || vb.Stock != 0 {
				t.Fatalf("round %d: copies show %d and %d", round, va.Stock, vb.Stock)
			}
			// The organisation restocks one unit for the next round (C's
			// own count is not the organisation's to set).
			p.Variants[0].Stock = 1
			if err := svc.SaveProduct(ctx, org.ID, p); err != nil {
				t.Fatal(err)
			}
		}
		// C sold 5 of its own 5 in the first five rounds; the rest were
		// refused, and the shared unit on offer (1) was never C's.
		if vc := variantIn(c.ID, "shared-sunscreen"); vc.Stock != 0 {
			t.Fatalf("C's own count: %d, want 0", vc.Stock)
		}
		if n := orgCount(sun); n != 1 {
			t.Fatalf("shared count %d, want 1 (C short on its own took the shared unit?)", n)
		}
		if _, err := reserve(c, "shared-sunscreen", 1); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("C with no own stock left sold: %v", err)
		}
		if n := orgCount(sun); n != 1 {
			t.Fatalf("shared count %d after C's refused sale", n)
		}
		// C's own stock survives the organisation's changes; a release
		// gives it back to C's count, not the shared one.
		if err := repo.SetOwnStock(ctx, c.ID, sun, 7, now); err != nil {
			t.Fatal(err)
		}
		oc, err := reserve(c, "shared-sunscreen", 2)
		if err != nil {
			t.Fatal(err)
		}
		if err := stock.Release(ctx, c.ID, oc, now); err != nil {
			t.Fatal(err)
		}
		if vc := variantIn(c.ID, "shared-sunscreen"); vc.Stock != 7 || orgCount(sun) != 1 {
			t.Fatalf("after C's release: C %d, shared %d", vc.Stock, orgCount(sun))
		}
		if _, err := reserve(c, "shared-sunscreen", 2); err != nil {
			t.Fatal(err)
		}
		p.Variants[0].Stock, p.Variants[0].Price = 30, 1100
		if err := svc.SaveProduct(ctx, org.ID, p); err != nil {
			t.Fatal(err)
		}
		if vc, va := variantIn(c.ID, "shared-sunscreen"), variantIn(a.ID, "shared-sunscreen"); vc.Stock != 5 || va.Stock != 30 || vc.Price != 1100 {
			t.Fatalf("after the organisation's change: C %d at %d, A %d", vc.Stock, vc.Price, va.Stock)
		}
		// Back to the shared stock: C shows and sells the organisation's count.
		if err := repo.SetOwnStock(ctx, c.ID, sun, -1, now); err != nil {
			t.Fatal(err)
		}
		if vc := variantIn(c.ID, "shared-sunscreen"); vc.Stock != 30 {
			t.Fatalf("C back on the shared stock shows %d", vc.Stock)
		}
		if _, err := reserve(c, "shared-sunscreen", 4); err != nil {
			t.Fatal(err)
		}
		if n, va := orgCount(sun), variantIn(a.ID, "shared-sunscreen"); n != 26 || va.Stock != 26 {
			t.Fatalf("after C's shared sale: shared %d, A %d", n, va.Stock)
		}
		// Multi-line orders in parallel: each brand's lines are its copies of
		// the same four shared variants, whose own ids sort differently per
		// brand. Every order succeeds (no deadlock) and takes each unit once.
		const perBrand = 8
		var wg sync.WaitGroup
		errs := make(chan error, perBrand*len(brands))
		for _, x := range brands {
			var items []orders.StockItem
			for i := range more {
				items = append(items, orders.StockItem{VariantID: variantIn(x.ID, fmt.Sprintf("plaster-%d", i)).ID, Quantity: 1, Label: "plaster"})
			}
			for range perBrand {
				wg.Go(func() {
					errs <- stock.Reserve(ctx, x.ID, id.New(), items, orders.PromoUse{}, now, now.Add(time.Hour))
				})
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("a multi-line order failed: %v", err)
			}
		}
		for _, m := range more {
			if n := orgCount(m.Variants[0].ID); n != 1000-perBrand*int64(len(brands)) {
				t.Fatalf("%s: shared count %d", m.Name, n)
			}
		}
	})
}
