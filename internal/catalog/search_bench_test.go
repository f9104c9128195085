package catalog_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/store"
)

// BenchmarkSearchDemoSize searches 200 generated products with no text and a
// price filter, as the uncached catalog page does (SQLite).
func BenchmarkSearchDemoSize(b *testing.B) {
	svc, tid := newService(b, store.SQLite)
	ctx := context.Background()
	if err := svc.GenerateProducts(ctx, tid, 200, 200, nil); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		q := catalog.Query{MinPrice: -1, MaxPrice: 100000 + int64(i), Sort: catalog.SortRelevance, Page: 1, PerPage: 24}
		if _, err := svc.Search(ctx, tid, q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchTwoWords searches 20,000 generated products for two words
// with one filter (SQLite).
func BenchmarkSearchTwoWords(b *testing.B) {
	svc, tid := newService(b, store.SQLite)
	ctx := context.Background()
	if err := svc.GenerateProducts(ctx, tid, 20000, 1000, nil); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		q := catalog.Query{Text: fmt.Sprintf("zinc %s", []string{"gummies", "tablets", "spray"}[i%3]), InStock: true,
			MinPrice: -1, MaxPrice: -1, Sort: catalog.SortRelevance, Page: 1, PerPage: 24}
		if _, err := svc.Search(ctx, tid, q); err != nil {
			b.Fatal(err)
		}
	}
}
