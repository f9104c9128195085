package shop_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

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
