package shop_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestStockLevelsKeepTheCacheWarm: an order that leaves a variant's
// availability level as it was does not change the catalog version (the
// cached pages stay); one that crosses a level (low, sold out, back in) does,
// and the product page then shows the new level.
func TestStockLevelsKeepTheCacheWarm(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		p := &catalog.Product{Name: "Test Strips", Variants: []catalog.Variant{{SKU: "TS-" + id.New()[24:], Price: 999, Stock: 20,
			PriceBreaks: []catalog.PriceBreak{{MinQuantity: 10, UnitPrice: 799}, {MinQuantity: 3, UnitPrice: 899}}}}}
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
			t.Fatal(err)
		}
		v := p.Variants[0]
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
		uid := s.NewPerson(t, access.RolePatient).ID
		bctx := access.WithActor(ctx, access.Actor{ID: uid, Role: access.RolePatient, TenantID: s.Tenant.ID})
		buy := func(qty int64) *orders.Order {
			t.Helper()
			o, err := s.Services().Orders.Place(bctx, orders.PlaceRequest{TenantID: s.Tenant.ID, UserID: uid,
				Items: []orders.ItemRef{{VariantID: v.ID, Quantity: qty}}, Gateway: "test", Shipping: "standard", Region: "CA",
				Address: orders.Address{Name: "Pat Doe", Line1: "1 Main St", City: "Springfield", Region: "CA", PostalCode: "90001"},
				Brand:   s.Tenant.Name, BaseURL: s.URL})
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
		var n int64
		if err := s.Stores.Catalog.Reader().QueryRow(`SELECT stock FROM variants WHERE id = $1`, v.ID).Scan(&n); err != nil || n != 5 {
			t.Fatalf("stock %d, want 5", n)
		}
	})
}
