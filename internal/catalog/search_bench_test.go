package catalog_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
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
	measure(b, db, func(i int) {
		if _, err := svc.Search(ctx, tid, fileQuery(i)); err != nil {
			b.Fatal(err)
		}
	})
}

// fileQuery is the i-th search of bench/wrk/search.lua: a kind and a form,
// one of three filters, a limit from 10 to 59.
func fileQuery(i int) catalog.Query {
	kinds := []string{"vitamin", "zinc", "magnesium", "calcium", "omega", "probiotic", "melatonin", "ibuprofen",
		"acetaminophen", "allergy", "glucose", "lancet", "bandage", "thermometer", "compression", "saline",
		"antacid", "sunscreen", "lotion", "electrolyte", "fiber", "iron", "biotin", "turmeric", "elderberry",
		"collagen", "protein", "cough", "nasal", "eye", "sleep", "verdant"}
	forms := []string{"tablets", "capsules", "gummies", "softgels", "drops", "spray", "cream", "powder",
		"strips", "monitor", "wipes", "patch", "syrup", "gel", "kit", "sleeve"}
	n := i
	k := kinds[n%len(kinds)]
	n /= len(kinds)
	f := forms[n%len(forms)]
	n /= len(forms)
	q := catalog.Query{Text: k + " " + f, MinPrice: -1, MaxPrice: -1, Sort: catalog.SortRelevance, Page: 1, PerPage: 10 + n%50}
	switch n % 3 {
	case 0:
		q.InStock = true
	case 1:
		q.HSA = true
	default:
		q.Rx = "none"
	}
	return q
}

// BenchmarkSearchCatalogFileConcurrent runs the searches of
// BenchmarkSearchCatalogFile from 16 goroutines at once, as bench/run's
// search does with 16 connections, and reports the median and 99th
// percentile of a search's wall time: with more searches than reader
// connections, how they wait for one shows in the tail.
func BenchmarkSearchCatalogFileConcurrent(b *testing.B) {
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
	const workers = 16
	var mu sync.Mutex
	var lat []time.Duration
	var next int
	b.ResetTimer()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= b.N {
					return
				}
				t0 := time.Now()
				if _, err := svc.Search(ctx, tid, fileQuery(i)); err != nil {
					b.Error(err)
					return
				}
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "p99-ms")
	}
}
