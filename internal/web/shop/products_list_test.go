package shop_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

func do(t *testing.T, s *testkit.Server, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// seedShop adds a category and a few products to the test tenant.
func seedShop(t *testing.T, s *testkit.Server) *catalog.Product {
	t.Helper()
	ctx := context.Background()
	svc := s.Catalog()
	cat := &catalog.Category{TenantID: s.Tenant.ID, Name: "Vitamins", Description: "Daily vitamins."}
	if err := svc.SaveCategory(ctx, cat); err != nil {
		t.Fatal(err)
	}
	var first *catalog.Product
	for i, name := range []string{"Vitamin D3 1000 IU", "Vitamin C 500 mg", "Glucose Test Strips", "Insulin Pen"} {
		p := &catalog.Product{Name: name, Summary: "About " + name, Description: "Take **daily**.",
			RequiresPrescription: name == "Insulin Pen", HSAFSAEligible: true,
			Variants: []catalog.Variant{{SKU: "SKU-" + string(rune('A'+i)), Name: "60 count", Price: int64(500 + 100*i), Stock: int64(i)}}}
		if strings.HasPrefix(name, "Vitamin") {
			p.CategoryID = cat.ID
		}
		if err := svc.SaveProduct(ctx, s.Tenant.ID, p); err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = p
		}
	}
	return first
}

// TestCatalogPages walks the public catalog on both engines: list, search,
// filters, product, category, errors and caching.
func TestCatalogPages(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		p := seedShop(t, s)

		resp, body := do(t, s, s.NewRequest(t, "GET", "/products", nil))
		if resp.StatusCode != 200 || !strings.Contains(body, "4 products") || !strings.Contains(body, "Glucose Test Strips") {
			t.Fatalf("GET /products = %d\n%s", resp.StatusCode, body)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "private, no-cache" || resp.Header.Get("ETag") == "" {
			t.Fatalf("cache headers %q %q", cc, resp.Header.Get("ETag"))
		}
		_, body = do(t, s, s.NewRequest(t, "GET", "/products?q=vit", nil))
		if !strings.Contains(body, "2 products") || strings.Contains(body, "Glucose") {
			t.Fatalf("search vit:\n%s", body)
		}
		_, body = do(t, s, s.NewRequest(t, "GET", "/products?rx=only", nil))
		if !strings.Contains(body, "1 product") || !strings.Contains(body, "Insulin Pen") || !strings.Contains(body, "Prescription required") {
			t.Fatalf("rx only:\n%s", body)
		}
		_, body = do(t, s, s.NewRequest(t, "GET", "/products?q=zzzz", nil))
		if !strings.Contains(body, "No products found") {
			t.Fatalf("empty state:\n%s", body)
		}
		// Past the last page: the page says which page of how many, and
		// links to the last one, not a count above "No products found".
		resp, body = do(t, s, s.NewRequest(t, "GET", "/products?limit=1&page=99", nil))
		if resp.StatusCode != 200 || !strings.Contains(body, "Page 99 of 4") || !strings.Contains(body, "There is no page 99") ||
			strings.Contains(body, "4 products") || strings.Contains(body, "No products found") || !strings.Contains(body, `href="/products?limit=1&amp;page=4"`) {
			t.Fatalf("page past the end = %d\n%s", resp.StatusCode, body)
		}
		// A bad sort falls back to the default order; no sort token shows.
		resp, body = do(t, s, s.NewRequest(t, "GET", "/products?sort=cheapest", nil))
		if resp.StatusCode != 200 || !strings.Contains(body, "4 products") || strings.Contains(body, "price_asc,") || strings.Contains(body, "cheapest") {
			t.Fatalf("bad sort = %d\n%s", resp.StatusCode, body)
		}
		resp, _ = do(t, s, s.NewRequest(t, "GET", "/products?limit=0", nil))
		if resp.StatusCode != 400 {
			t.Fatalf("bad limit = %d", resp.StatusCode)
		}
		_, body = do(t, s, s.NewRequest(t, "GET", "/categories/vitamins", nil))
		if !strings.Contains(body, "Daily vitamins.") || !strings.Contains(body, "2 products") {
			t.Fatalf("category:\n%s", body)
		}
		for _, path := range []string{"/categories/nope", "/products/nope", "/products/NOT%20A%20SLUG", "/pages/nope", "/media/abc/l"} {
			if resp, _ := do(t, s, s.NewRequest(t, "GET", path, nil)); resp.StatusCode != 404 {
				t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
			}
		}

		// A product page, then an edit: the change shows at once, and the old
		// ETag no longer matches.
		resp, body = do(t, s, s.NewRequest(t, "GET", "/products/"+p.Slug, nil))
		if resp.StatusCode != 200 || !strings.Contains(body, "<strong>daily</strong>") || !strings.Contains(body, "SKU-A") {
			t.Fatalf("product page %d:\n%s", resp.StatusCode, body)
		}
		if !strings.Contains(body, "More in Vitamins") || !strings.Contains(body, "Vitamin C 500 mg") {
			t.Fatalf("related products missing:\n%s", body)
		}
		etag := resp.Header.Get("ETag")
		req := s.NewRequest(t, "GET", "/products/"+p.Slug, nil)
		req.Header.Set("If-None-Match", etag)
		if resp, _ := do(t, s, req); resp.StatusCode != 304 {
			t.Fatalf("revalidation = %d, want 304", resp.StatusCode)
		}
		p.Name = "Vitamin D3 Extra Strength"
		if err := s.Catalog().SaveProduct(context.Background(), s.Tenant.ID, p); err != nil {
			t.Fatal(err)
		}
		req = s.NewRequest(t, "GET", "/products/"+p.Slug, nil)
		req.Header.Set("If-None-Match", etag)
		resp, body = do(t, s, req)
		if resp.StatusCode != 200 || !strings.Contains(body, "Vitamin D3 Extra Strength") {
			t.Fatalf("after an edit: %d\n%s", resp.StatusCode, body)
		}
		if _, body = do(t, s, s.NewRequest(t, "GET", "/products?q=extra", nil)); !strings.Contains(body, "Vitamin D3 Extra Strength") {
			t.Fatalf("the edit is not in search:\n%s", body)
		}
		// Archived products leave the shop.
		if err := s.Catalog().SetStatus(context.Background(), s.Tenant.ID, p.ID, catalog.StatusArchived); err != nil {
			t.Fatal(err)
		}
		if resp, _ := do(t, s, s.NewRequest(t, "GET", "/products/"+p.Slug, nil)); resp.StatusCode != 404 {
			t.Fatalf("archived product = %d", resp.StatusCode)
		}
	})
}

// TestSearchTermsStayOutOfLogs: the access log records the route pattern,
// never the path or query, so a search for a condition is not logged.
func TestSearchTermsStayOutOfLogs(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	seedShop(t, s)
	for _, path := range []string{"/products?q=hivtreatment", "/api/v1/products?q=hivtreatment", "/products?q=hivtreatment&limit=999", "/api/v1/products?q=hivtreatment&sort=x"} {
		do(t, s, s.NewRequest(t, "GET", path, nil))
	}
	logs := s.Log.String()
	if !strings.Contains(logs, `"pattern":"GET /products"`) {
		t.Fatalf("no access log line:\n%s", logs)
	}
	if strings.Contains(logs, "hivtreatment") {
		t.Fatalf("a search term reached the log:\n%s", logs)
	}
}

// TestLandingPagesAndMenu: published pages show, drafts do not; the menu
// replaces the default links on every cached page.
func TestLandingPagesAndMenu(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	ctx := context.Background()
	svc := s.Catalog()
	if err := svc.SavePage(ctx, &catalog.Page{TenantID: s.Tenant.ID, Title: "Flu season", Body: "Get **ready**.\n\n<script>alert(1)</script>", Published: true}); err != nil {
		t.Fatal(err)
	}
	if err := svc.SavePage(ctx, &catalog.Page{TenantID: s.Tenant.ID, Title: "Secret sale", Body: "Soon."}); err != nil {
		t.Fatal(err)
	}
	resp, body := do(t, s, s.NewRequest(t, "GET", "/pages/flu-season", nil))
	if resp.StatusCode != 200 || !strings.Contains(body, "<strong>ready</strong>") || strings.Contains(body, "<script>alert") {
		t.Fatalf("landing page %d:\n%s", resp.StatusCode, body)
	}
	if resp, _ := do(t, s, s.NewRequest(t, "GET", "/pages/secret-sale", nil)); resp.StatusCode != 404 {
		t.Fatalf("unpublished page = %d", resp.StatusCode)
	}
	if _, body := do(t, s, s.NewRequest(t, "GET", "/", nil)); !strings.Contains(body, `href="/products">Products`) {
		t.Fatalf("default menu missing:\n%s", body)
	}
	if err := svc.SaveMenu(ctx, s.Tenant.ID, "Flu season | /pages/flu-season\nShop | /products"); err != nil {
		t.Fatal(err)
	}
	if _, body := do(t, s, s.NewRequest(t, "GET", "/", nil)); !strings.Contains(body, `href="/pages/flu-season">Flu season`) {
		t.Fatalf("the new menu does not show at once:\n%s", body)
	}
	// The layout keeps the tenant's links per catalog version: a page
	// published after a view shows in the footer of the next one.
	if err := svc.SavePage(ctx, &catalog.Page{TenantID: s.Tenant.ID, Title: "Privacy", Body: "We keep little.", Published: true}); err != nil {
		t.Fatal(err)
	}
	if _, body := do(t, s, s.NewRequest(t, "GET", "/products", nil)); !strings.Contains(body, `href="/pages/privacy">Privacy`) {
		t.Fatalf("the new legal page does not show at once:\n%s", body)
	}
	if err := svc.SaveMenu(ctx, s.Tenant.ID, "Evil | javascript:alert(1)"); err == nil {
		t.Fatal("a javascript: link was accepted")
	}
}
