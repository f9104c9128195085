package shop_test

import (
	"context"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// BenchmarkCheckoutHTTP places orders through HTTP on loopback, on SQLite:
// add to cart, then pay with the test gateway, from 16 concurrent browsers of
// 8 signed-in patients. It reports orders/s (budget: at least 200) and fails
// if any order is lost or made twice: every 303 names a distinct order, the
// gateway charged exactly once per order, and the stock went down by exactly
// the number of orders.
func BenchmarkCheckoutHTTP(b *testing.B) {
	s := testkit.StartServer(b, store.SQLite)
	ctx := context.Background()
	const stock = catalog.MaxStock
	p := &catalog.Product{Name: "Test Strips", Variants: []catalog.Variant{{SKU: "STRIPS-50", Price: 1999, Stock: stock}}}
	if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
		b.Fatal(err)
	}
	variant := p.Variants[0].ID
	var patients []testkit.Person
	for range 8 {
		patients = append(patients, s.NewPerson(b, access.RolePatient))
	}
	var (
		next    atomic.Int64
		placed  atomic.Int64
		failed  atomic.Int64
		orderID sync.Map
	)
	v0, err := store.NewCatalogRepo(s.Stores.Catalog).Version(ctx, s.Tenant.ID)
	if err != nil {
		b.Fatal(err)
	}
	b.SetParallelism(8) // 16 browsers on two cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		who := patients[next.Add(1)%int64(len(patients))]
		c := s.ClientAs(b, who) // its own cookie jar: its own cart
		for pb.Next() {
			r, _ := testkit.Do(b, c, s.NewRequest(b, "POST", "/cart/items", url.Values{"variant": {variant}, "quantity": {"1"}}))
			if r.StatusCode != 303 {
				failed.Add(1)
				continue
			}
			r, _ = testkit.Do(b, c, s.NewRequest(b, "POST", "/checkout/pay", address))
			m := orderURL.FindStringSubmatch(r.Header.Get("Location"))
			if r.StatusCode != 303 || m == nil {
				failed.Add(1)
				continue
			}
			if _, dup := orderID.LoadOrStore(m[1], true); dup {
				b.Errorf("order %s was answered twice", m[1])
			}
			placed.Add(1)
		}
	})
	b.StopTimer()
	n := placed.Load()
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "orders/s")
	// How often an order emptied the tenant's page cache: the stock stays in
	// stock here, so no order should.
	if v1, err := store.NewCatalogRepo(s.Stores.Catalog).Version(ctx, s.Tenant.ID); err == nil && n > 0 {
		b.ReportMetric(float64(v1-v0)/float64(n), "cache-flushes/order")
	}
	if failed.Load() > 0 {
		b.Fatalf("%d checkouts failed", failed.Load())
	}
	if got := int64(s.Services().TestGateway.Charges()); got != n {
		b.Fatalf("%d orders, %d charges", n, got)
	}
	got, err := s.Catalog().PublicProduct(ctx, s.Tenant.ID, p.Slug)
	if err != nil {
		b.Fatal(err)
	}
	if left := got.Variants[0].Stock; left != stock-n {
		b.Fatalf("stock %d after %d orders, want %d", left, n, stock-n)
	}
}
