package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestSearchRowsFollowProducts: SQLite's search_rows (migration 0018), the
// columns a search reads per full-text match, equal the products' own after
// every kind of write: saves and edits, a re-index, stock flags written by
// an UPDATE of products as the stock paths write them, a deleted category,
// a product archived, and a tenant deleted; and a search sees each change.
func TestSearchRowsFollowProducts(t *testing.T) {
	ctx := context.Background()
	db := testkit.OpenStore(t, store.SQLite, store.Catalog)
	ten := newTenant("rows")
	if err := store.NewTenants(db).Create(ctx, ten); err != nil {
		t.Fatal(err)
	}
	svc := catalog.NewService(store.NewCatalogRepo(db), clock.NewFake(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)))
	cat := &catalog.Category{TenantID: ten.ID, Slug: "minerals", Name: "Minerals"}
	if err := svc.SaveCategory(ctx, cat); err != nil {
		t.Fatal(err)
	}
	var ps []*catalog.Product
	for i, name := range []string{"Zinc Tablets", "Zinc (Chelated) Gel", "Iron Drops"} {
		p := &catalog.Product{Name: name, CategoryID: cat.ID, Tags: []string{"immune"}, HSAFSAEligible: i%2 == 0,
			Variants: []catalog.Variant{{SKU: fmt.Sprintf("R%d", i), Price: int64(100 * (i + 1)), Stock: 5}}}
		if err := svc.SaveProduct(ctx, ten.ID, p); err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	same := func(step string) {
		t.Helper()
		ctx := testkit.AllTenants(ctx)
		cols := `fts_rowid, tenant_id, id, status, in_stock, requires_prescription, hsa_fsa_eligible, price_min,
			COALESCE(category_id, ''), created_at, tags, name`
		read := func(q string) string {
			rows, err := db.Reader().QueryContext(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var v [14]any
				ptrs := make([]any, len(v))
				for i := range v {
					ptrs[i] = &v[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				out = append(out, fmt.Sprint(v))
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			return strings.Join(out, "\n")
		}
		want := read(`SELECT ` + cols + `, ` + strings.ReplaceAll(store.NameKeyForTest, "p.", "") + `, 0 FROM products WHERE fts_rowid IS NOT NULL ORDER BY fts_rowid`)
		got := read(`SELECT ` + cols + `, nk, 0 FROM search_rows ORDER BY fts_rowid`)
		if got != want {
			t.Fatalf("after %s, search_rows:\n%s\nproducts:\n%s", step, got, want)
		}
	}
	found := func(q catalog.Query) int {
		t.Helper()
		q.MinPrice, q.MaxPrice, q.Page, q.PerPage = -1, -1, 1, 24
		r, err := svc.Search(ctx, ten.ID, q)
		if err != nil {
			t.Fatal(err)
		}
		return r.Total
	}
	same("saves")
	if n := found(catalog.Query{Text: "zinc", InStock: true}); n != 2 {
		t.Fatalf("zinc in stock: %d", n)
	}

	// An edit re-indexes the product (a new full-text rowid) and renames it.
	ps[0].Name, ps[0].Tags = "Zinc Lozenges", []string{"cold"}
	if err := svc.SaveProduct(ctx, ten.ID, ps[0]); err != nil {
		t.Fatal(err)
	}
	same("an edit")
	if n := found(catalog.Query{Text: "lozenges"}); n != 1 {
		t.Fatalf("renamed: %d", n)
	}

	// The stock paths (orders, returns, shared stock) write the flag with an
	// UPDATE of products.
	if _, err := db.Writer().ExecContext(testkit.AllTenants(ctx), `UPDATE products SET in_stock = 0 WHERE id = $1`, ps[1].ID); err != nil {
		t.Fatal(err)
	}
	same("a stock flag")
	if n := found(catalog.Query{Text: "zinc", InStock: true}); n != 1 {
		t.Fatalf("zinc in stock after a sell-out: %d", n)
	}

	if err := svc.DeleteCategory(ctx, ten.ID, cat.ID); err != nil {
		t.Fatal(err)
	}
	same("a deleted category")

	if err := svc.SetStatus(ctx, ten.ID, ps[2].ID, catalog.StatusArchived); err != nil {
		t.Fatal(err)
	}
	same("an archived product")
	if n := found(catalog.Query{Text: "iron"}); n != 0 {
		t.Fatalf("archived product found: %d", n)
	}

	if _, err := db.Writer().ExecContext(testkit.AllTenants(ctx), `DELETE FROM tenants WHERE id = $1`, ten.ID); err != nil {
		t.Fatal(err)
	}
	same("a deleted tenant")
	var n int
	if err := db.Reader().QueryRowContext(testkit.AllTenants(ctx), `SELECT COUNT(*) FROM search_rows`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("search_rows after the tenant's deletion: %d, %v", n, err)
	}
}
