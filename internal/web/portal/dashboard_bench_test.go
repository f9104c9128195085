package portal_test

import (
	"context"
	"net/url"
	"runtime"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// BenchmarkDashboard is one view of the dashboard of a patient with 10
// orders and a list, through HTTP on loopback (SQLite): session, policy,
// decryption and audit included. It reports SQL statements per view.
func BenchmarkDashboard(b *testing.B) {
	s := testkit.StartServer(b, store.SQLite)
	ctx := context.Background()
	p := &catalog.Product{Name: "Test Strips", Variants: []catalog.Variant{{SKU: "TS-" + id.New()[24:], Price: 1500, Stock: 100000,
		PriceBreaks: []catalog.PriceBreak{{MinQuantity: 3, UnitPrice: 1200}}}}}
	if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
		b.Fatal(err)
	}
	patient := s.NewPerson(b, access.RolePatient)
	c := s.ClientAs(b, patient)
	for range 10 {
		testkit.Do(b, c, s.NewRequest(b, "POST", "/cart/items", url.Values{"variant": {p.Variants[0].ID}, "quantity": {"1"}}))
		testkit.Do(b, c, s.NewRequest(b, "POST", "/checkout/pay", url.Values{"gateway": {"invoice"}, "name": {"Pat Doe"},
			"line1": {"12 Quince Lane"}, "city": {"Springfield"}, "region": {"NY"}, "postal_code": {"10001"}, "shipping": {"standard"}}))
	}
	testkit.Do(b, c, s.NewRequest(b, "POST", "/account/lists", url.Values{"name": {"Monthly"}}))
	view := func(b *testing.B) {
		r, _ := testkit.Do(b, c, s.NewRequest(b, "GET", "/account", nil))
		if r.StatusCode != 200 {
			b.Fatalf("dashboard: %d", r.StatusCode)
		}
	}
	b.Run("one", func(b *testing.B) {
		n0 := s.Stores.Catalog.Statements() + s.Stores.PHI.Statements()
		cpu0 := testkit.ProcessCPU()
		b.ResetTimer()
		for b.Loop() {
			view(b)
		}
		b.ReportMetric(float64(testkit.ProcessCPU()-cpu0)/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(s.Stores.Catalog.Statements()+s.Stores.PHI.Statements()-n0)/float64(b.N), "statements/op")
	})
	// 64 views at once, like bench/run's 64 connections: concurrent audit
	// events share group commits, and the audit events per commit say how
	// well (a low figure means each view waits for its own fsync).
	b.Run("64conns", func(b *testing.B) {
		c0, e0 := s.AuditLog().Stats()
		cpu0 := testkit.ProcessCPU()
		b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				view(b)
			}
		})
		b.StopTimer()
		b.ReportMetric(float64(testkit.ProcessCPU()-cpu0)/float64(b.N), "cpu-ns/op")
		c1, e1 := s.AuditLog().Stats()
		if c1 > c0 {
			b.ReportMetric(float64(e1-e0)/float64(c1-c0), "events/commit")
		}
		b.ReportMetric(float64(e1-e0)/float64(b.N), "events/op")
	})
}
