package admin_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// withBreaks adds price breaks for variant row 0 to a product form.
func withBreaks(f url.Values, pairs ...string) url.Values {
	for i := 0; i+1 < len(pairs); i += 2 {
		f["break_row"] = append(f["break_row"], "0")
		f["break_qty"] = append(f["break_qty"], pairs[i])
		f["break_price"] = append(f["break_price"], pairs[i+1])
	}
	return f
}

// TestPriceBreaksOnTheProductPage: a store manager adds volume prices on the
// edit page; the cached product page shows them at once; bad ones are a
// field error and change nothing; clearing one removes it.
func TestPriceBreaksOnTheProductPage(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServerWithGuard(t, e, testkit.TestGuard)
		ctx := context.Background()
		post := func(path string, f url.Values) (int, string) {
			t.Helper()
			resp, body := do(t, s, as(s.NewRequest(t, "POST", path, f), access.RoleStoreManager))
			return resp.StatusCode, body
		}
		if code, body := post("/admin/catalog/products", productForm("Test Strips", "9.99", "50")); code != 303 {
			t.Fatalf("create = %d\n%s", code, body)
		}
		ps, _ := s.Catalog().AllProducts(ctx, s.Tenant.ID)
		p := ps[0]
		edit := func() url.Values {
			f := productForm("Test Strips", "9.99", "50")
			f.Set("variant_id", p.Variants[0].ID)
			return f
		}
		// The page is cached before the tiers exist.
		if _, body := do(t, s, s.NewRequest(t, "GET", "/products/test-strips", nil)); strings.Contains(body, "or more") {
			t.Fatalf("tiers before any:\n%s", body)
		}
		if code, body := post("/admin/catalog/products/"+p.ID, withBreaks(edit(), "10", "7.99", "3", "8.99", "", "")); code != 303 {
			t.Fatalf("add tiers = %d\n%s", code, body)
		}
		got, _ := s.Catalog().ProductByID(ctx, s.Tenant.ID, p.ID)
		if want := "3:899;10:799"; catalog.FormatPriceBreaks(got.Variants[0].PriceBreaks, false) != want {
			t.Fatalf("stored %+v, want %s", got.Variants[0].PriceBreaks, want)
		}
		_, body := do(t, s, s.NewRequest(t, "GET", "/products/test-strips", nil))
		if !strings.Contains(body, "3 or more: $8.99 each") || !strings.Contains(body, "10 or more: $7.99 each") {
			t.Fatalf("the cached page does not show the new tiers:\n%s", body)
		}
		// The edit form shows them back, with a blank one to add.
		_, body = do(t, s, as(s.NewRequest(t, "GET", "/admin/catalog/products/"+p.ID, nil), access.RoleStoreManager))
		if !strings.Contains(body, `name="break_qty" value="3"`) || !strings.Contains(body, `name="break_price" value="7.99"`) ||
			!strings.Contains(body, `name="break_qty" value=""`) {
			t.Fatalf("edit form:\n%s", body)
		}
		ver, _ := store.NewCatalogRepo(s.Stores.Catalog).Version(ctx, s.Tenant.ID)
		bad := map[string][]string{
			"quantity 1":        {"1", "8.00"},
			"not below base":    {"3", "9.99"},
			"zero price":        {"3", "0"},
			"price goes up":     {"3", "8.00", "10", "8.50"},
			"same quantity":     {"3", "8.00", "3", "7.00"},
			"not a number":      {"three", "8.00"},
			"price not a price": {"3", "cheap"},
			"six tiers":         {"2", "9", "3", "8", "4", "7", "5", "6", "6", "5", "7", "4"},
		}
		for name, pairs := range bad {
			code, body := post("/admin/catalog/products/"+p.ID, withBreaks(edit(), pairs...))
			if code != 400 || !strings.Contains(body, "variant 1 price breaks") {
				t.Errorf("%s: %d, want 400 naming the field\n%s", name, code, body)
			}
		}
		after, _ := s.Catalog().ProductByID(ctx, s.Tenant.ID, p.ID)
		if catalog.FormatPriceBreaks(after.Variants[0].PriceBreaks, false) != "3:899;10:799" {
			t.Fatalf("a refused edit changed the tiers: %+v", after.Variants[0].PriceBreaks)
		}
		if v, _ := store.NewCatalogRepo(s.Stores.Catalog).Version(ctx, s.Tenant.ID); v != ver {
			t.Fatalf("a refused edit bumped the catalog version %d -> %d", ver, v)
		}
		// Clearing a tier removes it.
		if code, body := post("/admin/catalog/products/"+p.ID, withBreaks(edit(), "", "", "10", "7.99")); code != 303 {
			t.Fatalf("remove tier = %d\n%s", code, body)
		}
		_, body = do(t, s, s.NewRequest(t, "GET", "/products/test-strips", nil))
		if strings.Contains(body, "3 or more") || !strings.Contains(body, "10 or more: $7.99 each") {
			t.Fatalf("after removing a tier:\n%s", body)
		}
	})
}

// TestCSVPriceBreaks: the price_breaks column round-trips through export and
// import; a malformed or unlawful value is an error naming its line, and the
// whole file changes nothing; a file without the column keeps the tiers.
func TestCSVPriceBreaks(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServerWithGuard(t, e, testkit.TestGuard)
		ctx := context.Background()
		imp := func(name, data string) (int, string) {
			t.Helper()
			resp, body := do(t, s, multipartReq(t, s, "/admin/catalog/import", "file", name, []byte(data), nil))
			return resp.StatusCode, body
		}
		head := "slug,name,sku,variant,price,stock,price_breaks\n"
		good := head + "strips,Test Strips,TS-50,50,9.99,80,3:8.99;10:7.99\n" + "strips,,TS-100,100,17.00,20,\n"
		if code, body := imp("good.csv", good); code != 303 {
			t.Fatalf("good = %d\n%s", code, body)
		}
		p, err := s.Catalog().ProductBySlug(ctx, s.Tenant.ID, "strips")
		if err != nil || catalog.FormatPriceBreaks(p.Variants[0].PriceBreaks, true) != "3:8.99;10:7.99" || len(p.Variants[1].PriceBreaks) != 0 {
			t.Fatalf("imported %+v %v", p, err)
		}
		resp, export := do(t, s, as(s.NewRequest(t, "GET", "/admin/catalog/export.csv", nil), access.RoleStoreManager))
		if resp.StatusCode != 200 || !strings.HasSuffix(strings.SplitN(export, "\n", 2)[0], ",price_breaks") ||
			!strings.Contains(export, "TS-50,50,9.99,USD,80,3:8.99;10:7.99\n") || !strings.Contains(export, "TS-100,100,17.00,USD,20,\n") {
			t.Fatalf("export:\n%s", export)
		}
		ver, _ := store.NewCatalogRepo(s.Stores.Catalog).Version(ctx, s.Tenant.ID)
		bad := head +
			"strips,Test Strips,TS-50,50,9.99,80,3:7.99\n" + // fine on its own
			"gauze,Gauze,G-1,,4.00,10,3-3.50\n" + // malformed
			"tape,Tape,T-1,,4.00,10,3:4.50\n" + // not below the price
			"pads,Pads,P-1,,4.00,10,3:3.00;5:3.50\n" + // goes up
			"wrap,Wrap,W-1,,4.00,10,1:3.00\n" // from one
		code, body := imp("bad.csv", bad)
		if code != 400 {
			t.Fatalf("bad = %d\n%s", code, body)
		}
		for _, want := range []string{"line 3: price_breaks", "line 4: price_breaks", "line 5: price_breaks", "line 6: price_breaks"} {
			if !strings.Contains(body, want) {
				t.Errorf("errors lack %q:\n%s", want, body)
			}
		}
		if strings.Contains(body, "line 2:") {
			t.Errorf("a good line is blamed:\n%s", body)
		}
		after, _ := s.Catalog().ProductBySlug(ctx, s.Tenant.ID, "strips")
		ps, _ := s.Catalog().AllProducts(ctx, s.Tenant.ID)
		if len(ps) != 1 || catalog.FormatPriceBreaks(after.Variants[0].PriceBreaks, true) != "3:8.99;10:7.99" {
			t.Fatalf("a bad file changed the catalog: %d products, %+v", len(ps), after.Variants[0].PriceBreaks)
		}
		if v, _ := store.NewCatalogRepo(s.Stores.Catalog).Version(ctx, s.Tenant.ID); v != ver {
			t.Fatal("a bad file bumped the version")
		}
		// Re-importing the export changes nothing; a file without the column
		// keeps the tiers.
		if code, body := imp("again.csv", export); code != 303 {
			t.Fatalf("re-import = %d\n%s", code, body)
		}
		if code, body := imp("old.csv", "slug,name,sku,variant,price,stock\nstrips,Test Strips,TS-50,50,9.99,80\nstrips,,TS-100,100,17.00,20\n"); code != 303 {
			t.Fatalf("old layout = %d\n%s", code, body)
		}
		again, _ := s.Catalog().ProductBySlug(ctx, s.Tenant.ID, "strips")
		if catalog.FormatPriceBreaks(again.Variants[0].PriceBreaks, true) != "3:8.99;10:7.99" {
			t.Fatalf("round trip lost the tiers: %+v", again.Variants[0].PriceBreaks)
		}
	})
}
