package catalog_test

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// benchService is newService with the database, whose statements the
// benchmarks count.
func benchService(b *testing.B) (*catalog.Service, *store.DB, string) {
	b.Helper()
	db := testkit.OpenStore(b, store.SQLite, store.Catalog)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	ten := &tenant.Tenant{ID: id.New(), Slug: "t", Name: "T", Theme: tenant.DefaultTheme, CreatedAt: now, UpdatedAt: now}
	if err := store.NewTenants(db).Create(context.Background(), ten); err != nil {
		b.Fatal(err)
	}
	return catalog.NewService(store.NewCatalogRepo(db), clock.NewFake(now)), db, ten.ID
}

// cpuTime is the process's user and system CPU time: on a machine shared
// with other work, CPU per operation is steadier than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs op b.N times and reports CPU ns and SQL statements per op.
func measure(b *testing.B, db *store.DB, op func(i int)) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	cpu, st := cpuTime(), db.Statements()
	for i := range b.N {
		op(i)
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(db.Statements()-st)/float64(b.N), "stmts/op")
}

// BenchmarkSearchDemoSize searches 200 generated products with no text and a
// price filter, as the uncached catalog page does (SQLite).
func BenchmarkSearchDemoSize(b *testing.B) {
	svc, db, tid := benchService(b)
	ctx := context.Background()
	if err := svc.GenerateProducts(ctx, tid, 200, 200, nil); err != nil {
		b.Fatal(err)
	}
	measure(b, db, func(i int) {
		q := catalog.Query{MinPrice: -1, MaxPrice: 100000 + int64(i), Sort: catalog.SortRelevance, Page: 1, PerPage: 24}
		if _, err := svc.Search(ctx, tid, q); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkSearchTwoWords searches 20,000 generated products for two words
// with one filter (SQLite).
func BenchmarkSearchTwoWords(b *testing.B) {
	svc, db, tid := benchService(b)
	ctx := context.Background()
	if err := svc.GenerateProducts(ctx, tid, 20000, 1000, nil); err != nil {
		b.Fatal(err)
	}
	forms := []string{"gummies", "tablets", "spray"}
	measure(b, db, func(i int) {
		q := catalog.Query{Text: fmt.Sprintf("zinc %s", forms[i%3]), InStock: true,
			MinPrice: -1, MaxPrice: -1, Sort: catalog.SortRelevance, Page: 1, PerPage: 10 + i%50}
		if _, err := svc.Search(ctx, tid, q); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkSearchCatalogFile runs bench/wrk/search.lua's searches against a
// copy of a catalog database given by SALVE_BENCH_CATALOG (a data directory's
// catalog.db after `salve catalog generate --count 100000`) for the tenant
// SALVE_BENCH_TENANT (an id); skipped without them. Seeding 100,000
// products in a benchmark would take minutes.
func BenchmarkSearchCatalogFile(b *testing.B) {
	path, tid := os.Getenv("SALVE_BENCH_CATALOG"), os.Getenv("SALVE_BENCH_TENANT")
	if path == "" || tid == "" {
		b.Skip("SALVE_BENCH_CATALOG and SALVE_BENCH_TENANT are not set")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, store.Catalog, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	svc := catalog.NewService(store.NewCatalogRepo(db), clock.System{})
	kinds := []string{"vitamin", "zinc", "magnesium", "calcium", "omega", "probiotic", "melatonin", "ibuprofen"}
	forms := []string{"tablets", "capsules", "gummies", "softgels", "drops", "spray", "cream", "powder"}
	measure(b, db, func(i int) {
		q := catalog.Query{Text: kinds[i%len(kinds)] + " " + forms[(i/len(kinds))%len(forms)], MinPrice: -1, MaxPrice: -1,
			Sort: catalog.SortRelevance, Page: 1, PerPage: 10 + i%50}
		switch i % 3 {
		case 0:
			q.InStock = true
		case 1:
			q.HSA = true
		default:
			q.Rx = "none"
		}
		if _, err := svc.Search(ctx, tid, q); err != nil {
			b.Fatal(err)
		}
	})
}
