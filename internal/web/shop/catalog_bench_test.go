package shop_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// BenchmarkCatalogPage measures the whole handler (middleware included) for
// the cached 24-product page and the API list; bench/run measures them over
// HTTP against the hello server.
func BenchmarkCatalogPage(b *testing.B) {
	s := testkit.StartServer(b, store.SQLite)
	ctx := context.Background()
	for i := range 30 {
		p := &catalog.Product{Name: "Product " + strconv.Itoa(i), Variants: []catalog.Variant{{SKU: "S" + strconv.Itoa(i), Price: 100, Stock: 1}}}
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
			b.Fatal(err)
		}
	}
	h := s.Handler()
	for _, path := range []string{"/", "/products", "/api/v1/products?limit=24"} {
		b.Run(path, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest("GET", path, nil)
				req.Host = "127.0.0.1"
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Code)
				}
			}
		})
	}
}

// BenchmarkCatalogPageHTTP is BenchmarkCatalogPage over loopback HTTP, as
// bench/run asks (keep-alive, no compression), so that a CPU profile shows
// the server's whole path: net/http, middleware, cache.
func BenchmarkCatalogPageHTTP(b *testing.B) {
	s := testkit.StartServer(b, store.SQLite)
	ctx := context.Background()
	for i := range 30 {
		p := &catalog.Product{Name: "Product " + strconv.Itoa(i), Variants: []catalog.Variant{{SKU: "S" + strconv.Itoa(i), Price: 100, Stock: 1}}}
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
			b.Fatal(err)
		}
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 4}}
	for _, path := range []string{"/", "/products", "/api/v1/products?limit=24"} {
		b.Run(path, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				resp, err := client.Get(s.URL + path)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatal(resp.StatusCode)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime is the process's user and system CPU time (server and client
// here): steadier than wall time on a shared machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCatalogPageUncached measures the catalog page and the API list
// with a query string of their own per request (a max_price above every
// price, as bench/wrk/distinct.lua asks), so no cached page answers: the
// search, the page's products and the rendering, with SQL statements per
// request.
func BenchmarkCatalogPageUncached(b *testing.B) {
	s := testkit.StartServer(b, store.SQLite)
	ctx := context.Background()
	if err := s.Catalog().GenerateProducts(ctx, s.Tenant.ID, 200, 200, nil); err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	for _, path := range []string{"/products?max_price=", "/api/v1/products?limit=24&max_price="} {
		b.Run(path, func(b *testing.B) {
			b.ReportAllocs()
			cpu, st := cpuTime(), s.Stores.Catalog.Statements()
			i := 0
			for b.Loop() {
				i++
				req := httptest.NewRequest("GET", path+strconv.Itoa(1000+i)+".00", nil)
				req.Host = "127.0.0.1"
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Code)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(s.Stores.Catalog.Statements()-st)/float64(b.N), "stmts/op")
		})
	}
}
