package admin_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
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

func as(req *http.Request, role access.Role) *http.Request {
	req.Header.Set(testkit.TestRoleHeader, string(role))
	return req
}

func multipartReq(t *testing.T, s *testkit.Server, path, field, filename string, data []byte, extra map[string]string) *http.Request {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(data)
	for k, v := range extra {
		_ = mw.WriteField(k, v)
	}
	_ = mw.Close()
	req, err := http.NewRequest("POST", s.URL+path, &b)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", s.URL)
	return as(req, access.RoleStoreManager)
}

func productForm(name, price, stock string) url.Values {
	return url.Values{"name": {name}, "status": {"active"}, "tags": {"a, b"}, "description": {"Hello **there**"},
		"variant_id": {""}, "variant_sku": {"SKU-1"}, "variant_name": {"Small"}, "variant_price": {price},
		"variant_currency": {"USD"}, "variant_stock": {stock}}
}

// TestOnlyStoreManagersReachTheCatalogAdmin: no actor, and every role but store
// manager and admin, get the same 404.
func TestOnlyStoreManagersReachTheCatalogAdmin(t *testing.T) {
	s := testkit.StartServerWithGuard(t, store.SQLite, testkit.TestGuard)
	for _, role := range append([]access.Role{""}, access.Roles...) {
		resp, body := do(t, s, as(s.NewRequest(t, "GET", "/admin/catalog", nil), role))
		want := 404
		if role == access.RoleStoreManager || role == access.RoleAdmin {
			want = 200
		}
		if resp.StatusCode != want {
			t.Errorf("role %q: %d, want %d", role, resp.StatusCode, want)
		}
		if want == 404 && strings.Contains(body, "Products") && strings.Contains(body, "Import") {
			t.Errorf("role %q saw the admin page", role)
		}
	}
	// A post without a role changes nothing.
	if resp, _ := do(t, s, s.NewRequest(t, "POST", "/admin/catalog/products", productForm("X", "1", "1"))); resp.StatusCode != 404 {
		t.Fatalf("anonymous post = %d", resp.StatusCode)
	}
}

// TestProductEditing creates and edits a product through the forms, on both
// engines, and checks bad input changes nothing.
func TestProductEditing(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServerWithGuard(t, e, testkit.TestGuard)
		ctx := context.Background()
		for _, bad := range []url.Values{productForm("Neg price", "-1.00", "1"), productForm("Neg stock", "1.00", "-3"),
			productForm("", "1.00", "1"), productForm("Bad price", "abc", "1")} {
			resp, body := do(t, s, as(s.NewRequest(t, "POST", "/admin/catalog/products", bad), access.RoleStoreManager))
			if resp.StatusCode != 400 || !strings.Contains(body, "form-error") {
				t.Fatalf("%s: %d\n%s", bad.Get("name"), resp.StatusCode, body)
			}
		}
		if ps, _ := s.Catalog().AllProducts(ctx, s.Tenant.ID); len(ps) != 0 {
			t.Fatalf("bad input saved %d products", len(ps))
		}
		resp, _ := do(t, s, as(s.NewRequest(t, "POST", "/admin/catalog/products", productForm("Blood Pressure Monitor", "49.99", "5")), access.RoleStoreManager))
		if resp.StatusCode != 303 {
			t.Fatalf("create = %d", resp.StatusCode)
		}
		loc := resp.Header.Get("Location")
		ps, _ := s.Catalog().AllProducts(ctx, s.Tenant.ID)
		if len(ps) != 1 || ps[0].Variants[0].Price != 4999 || ps[0].Variants[0].Stock != 5 || !strings.HasPrefix(loc, "/admin/catalog/products/"+ps[0].ID) {
			t.Fatalf("created %+v at %s", ps, loc)
		}
		p := ps[0]
		// The shop shows it; an edit (price, stock, a second variant) shows at once.
		if _, body := do(t, s, s.NewRequest(t, "GET", "/products/blood-pressure-monitor", nil)); !strings.Contains(body, "$49.99") {
			t.Fatalf("shop:\n%s", body)
		}
		f := productForm("Blood Pressure Monitor", "44.50", "0")
		f["variant_id"] = []string{p.Variants[0].ID, ""}
		f["variant_sku"] = append(f["variant_sku"], "SKU-2")
		f["variant_name"] = append(f["variant_name"], "Large cuff")
		f["variant_price"] = append(f["variant_price"], "54")
		f["variant_currency"] = append(f["variant_currency"], "USD")
		f["variant_stock"] = append(f["variant_stock"], "2")
		if resp, body := do(t, s, as(s.NewRequest(t, "POST", "/admin/catalog/products/"+p.ID, f), access.RoleStoreManager)); resp.StatusCode != 303 {
			t.Fatalf("edit = %d\n%s", resp.StatusCode, body)
		}
		_, body := do(t, s, s.NewRequest(t, "GET", "/products/blood-pressure-monitor", nil))
		if !strings.Contains(body, "From $44.50") || !strings.Contains(body, "Large cuff") || !strings.Contains(body, "Out of stock") {
			t.Fatalf("the edit does not show:\n%s", body)
		}
		resp, body = do(t, s, as(s.NewRequest(t, "GET", "/admin/catalog/products/"+p.ID, nil), access.RoleStoreManager))
		if resp.StatusCode != 200 || !strings.Contains(body, "Large cuff") {
			t.Fatalf("edit form %d", resp.StatusCode)
		}
		// Unknown and malformed ids are 404.
		for _, path := range []string{"/admin/catalog/products/nope", "/admin/catalog/products/01234567-89ab-7def-8123-456789abcdef"} {
			if resp, _ := do(t, s, as(s.NewRequest(t, "GET", path, nil), access.RoleStoreManager)); resp.StatusCode != 404 {
				t.Errorf("GET %s = %d", path, resp.StatusCode)
			}
		}
		// Archive.
		resp, _ = do(t, s, as(s.NewRequest(t, "POST", "/admin/catalog/products/"+p.ID+"/status", url.Values{"status": {"archived"}}), access.RoleStoreManager))
		if resp.StatusCode != 303 {
			t.Fatalf("archive = %d", resp.StatusCode)
		}
		if resp, _ := do(t, s, s.NewRequest(t, "GET", "/products/blood-pressure-monitor", nil)); resp.StatusCode != 404 {
			t.Fatalf("archived product still in the shop: %d", resp.StatusCode)
		}
	})
}

func pngOf(w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.SetNRGBA(x, x%h, color.NRGBA{200, 10, 10, 255})
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// TestImageUpload: a real image is resized and served at a content-hash URL
// with a year-long cache; other files and oversized ones are refused.
func TestImageUpload(t *testing.T) {
	s := testkit.StartServerWithGuard(t, store.SQLite, testkit.TestGuard)
	ctx := context.Background()
	p := &catalog.Product{Name: "Thermometer", Variants: []catalog.Variant{{SKU: "T1", Price: 999, Stock: 3}}}
	if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
		t.Fatal(err)
	}
	path := "/admin/catalog/products/" + p.ID + "/images"
	resp, _ := do(t, s, multipartReq(t, s, path, "image", "t.png", pngOf(1600, 1200), map[string]string{"alt": "A thermometer"}))
	if resp.StatusCode != 303 {
		t.Fatalf("upload = %d", resp.StatusCode)
	}
	got, _ := s.Catalog().ProductByID(ctx, s.Tenant.ID, p.ID)
	if len(got.Images) != 1 || got.Images[0].Width != 800 || got.Images[0].Height != 600 {
		t.Fatalf("images %+v", got.Images)
	}
	_, body := do(t, s, s.NewRequest(t, "GET", "/products/thermometer", nil))
	if !strings.Contains(body, `alt="A thermometer"`) || !strings.Contains(body, "/media/"+got.Images[0].SHA256+"/l") {
		t.Fatalf("product page lacks the image:\n%s", body)
	}
	for _, size := range []string{"l", "t"} {
		resp, img := do(t, s, s.NewRequest(t, "GET", "/media/"+got.Images[0].SHA256+"/"+size, nil))
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Fatalf("media %s: %d %v", size, resp.StatusCode, resp.Header)
		}
		cfg, _, err := image.DecodeConfig(strings.NewReader(img))
		if err != nil || (size == "t" && cfg.Width != 320) {
			t.Fatalf("rendition %s: %+v %v", size, cfg, err)
		}
	}
	// Not an image (whatever its name), a bomb header, and a too-large body.
	for name, data := range map[string][]byte{
		"fake.png":  []byte("<?php echo 1; ?>"),
		"empty.png": nil,
		"huge.png":  pngOf(13000, 1),
	} {
		resp, body := do(t, s, multipartReq(t, s, path, "image", name, data, nil))
		if resp.StatusCode != 400 || !strings.Contains(body, "form-error") {
			t.Errorf("%s: %d", name, resp.StatusCode)
		}
	}
	resp, _ = do(t, s, multipartReq(t, s, path, "image", "big.png", bytes.Repeat([]byte{1}, catalog.MaxImageBytes+128<<10), nil))
	if resp.StatusCode != 413 {
		t.Fatalf("oversized upload = %d", resp.StatusCode)
	}
	if got, _ := s.Catalog().ProductByID(ctx, s.Tenant.ID, p.ID); len(got.Images) != 1 {
		t.Fatalf("bad uploads added images: %d", len(got.Images))
	}
	// Remove it.
	resp, _ = do(t, s, as(s.NewRequest(t, "POST", path+"/"+got.Images[0].ID+"/delete", url.Values{}), access.RoleStoreManager))
	if resp.StatusCode != 303 {
		t.Fatalf("delete image = %d", resp.StatusCode)
	}
	if resp, _ := do(t, s, s.NewRequest(t, "GET", "/media/"+got.Images[0].SHA256+"/l", nil)); resp.StatusCode != 404 {
		t.Fatalf("deleted image still served: %d", resp.StatusCode)
	}
}

// TestCSVImportExport: a file with bad rows changes nothing and names the
// lines; a good one imports; export gives it back.
func TestCSVImportExport(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServerWithGuard(t, e, testkit.TestGuard)
		ctx := context.Background()
		if err := s.Catalog().SaveCategory(ctx, &catalog.Category{TenantID: s.Tenant.ID, Name: "First aid"}); err != nil {
			t.Fatal(err)
		}
		head := "slug,name,brand,category,tags,requires_prescription,hsa_fsa_eligible,status,summary,description,sku,variant,price,currency,stock\n"
		good := head +
			"bandages,Adhesive Bandages,Salve,first-aid,wound|kids,false,true,active,Strips,Sterile **strips**,BAND-1,100 count,4.99,USD,80\n" +
			"bandages,,,,,,,,,,BAND-2,200 count,8.99,USD,40\n" +
			"gauze,Gauze Pads,Salve,first-aid,wound,no,yes,active,,,GAUZE-1,,3.99,,25\n"
		bad := head +
			"bandages,Adhesive Bandages,Salve,first-aid,,false,true,active,,,BAND-1,,4.99,USD,80\n" +
			"gauze,Gauze,Salve,nope,,maybe,true,active,,,GAUZE-1,,-3,USD,x\n" +
			"tape,Tape,Salve,,,,,,,,TAPE 1,,1.00,USD,-4\n" +
			"\"unterminated,quote\n"
		resp, body := do(t, s, multipartReq(t, s, "/admin/catalog/import", "file", "bad.csv", []byte(bad), nil))
		if resp.StatusCode != 400 {
			t.Fatalf("bad file = %d %s\n%s", resp.StatusCode, body, s.Log.String())
		}
		for _, want := range []string{"line 3: unknown category", "line 3: requires_prescription", "line 3: the price", "line 3: the stock", "line 4: the stock cannot be negative", "line 5"} {
			if !strings.Contains(body, want) {
				t.Errorf("the errors lack %q:\n%s", want, body)
			}
		}
		if ps, _ := s.Catalog().AllProducts(ctx, s.Tenant.ID); len(ps) != 0 {
			t.Fatalf("a bad file imported %d products", len(ps))
		}
		resp, body = do(t, s, multipartReq(t, s, "/admin/catalog/import", "file", "good.csv", []byte(good), nil))
		if resp.StatusCode != 303 {
			t.Fatalf("good file = %d\n%s", resp.StatusCode, body)
		}
		ps, _ := s.Catalog().AllProducts(ctx, s.Tenant.ID)
		if len(ps) != 2 || len(ps[0].Variants) != 2 || !ps[0].HSAFSAEligible || ps[0].Tags[1] != "kids" {
			t.Fatalf("imported %+v", ps)
		}
		// A file whose SKU belongs to another product fails as a whole.
		clash := head + "tape,Tape,,,,,,,,,TAPE-1,,1.00,USD,1\nnew-gauze,New gauze,,,,,,,,,GAUZE-1,,1.00,USD,1\n"
		if resp, _ := do(t, s, multipartReq(t, s, "/admin/catalog/import", "file", "c.csv", []byte(clash), nil)); resp.StatusCode != 400 {
			t.Fatalf("SKU clash = %d", resp.StatusCode)
		}
		if ps, _ := s.Catalog().AllProducts(ctx, s.Tenant.ID); len(ps) != 2 {
			t.Fatalf("a failed import left %d products", len(ps))
		}
		resp, body = do(t, s, as(s.NewRequest(t, "GET", "/admin/catalog/export.csv", nil), access.RoleStoreManager))
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.Contains(body, "BAND-2,200 count,8.99,USD,40") {
			t.Fatalf("export %d:\n%s", resp.StatusCode, body)
		}
		// Export then import again changes nothing but the version.
		if resp, b := do(t, s, multipartReq(t, s, "/admin/catalog/import", "file", "again.csv", []byte(body), nil)); resp.StatusCode != 303 {
			t.Fatalf("re-import = %d\n%s", resp.StatusCode, b)
		}
		again, _ := s.Catalog().AllProducts(ctx, s.Tenant.ID)
		if len(again) != 2 || again[0].ID != ps[0].ID || again[0].Variants[1].ID != ps[0].Variants[1].ID {
			t.Fatal("a round trip changed ids")
		}
	})
}

// TestCategoriesPagesAndMenuAdmin covers the other admin forms.
func TestCategoriesPagesAndMenuAdmin(t *testing.T) {
	s := testkit.StartServerWithGuard(t, store.SQLite, testkit.TestGuard)
	mgr := func(method, path string, form url.Values) (*http.Response, string) {
		return do(t, s, as(s.NewRequest(t, method, path, form), access.RoleStoreManager))
	}
	if resp, _ := mgr("POST", "/admin/catalog/categories", url.Values{"name": {"Mobility"}}); resp.StatusCode != 303 {
		t.Fatalf("add category = %d", resp.StatusCode)
	}
	if resp, _ := mgr("POST", "/admin/catalog/categories", url.Values{"name": {"Mobility"}}); resp.StatusCode != 400 {
		t.Fatalf("duplicate category = %d", resp.StatusCode)
	}
	if _, body := mgr("GET", "/admin/catalog/categories", nil); !strings.Contains(body, "mobility") {
		t.Fatalf("categories:\n%s", body)
	}
	if resp, _ := mgr("POST", "/admin/catalog/pages", url.Values{"title": {"Winter"}, "body": {"Stay **warm**"}, "published": {"1"}}); resp.StatusCode != 303 {
		t.Fatalf("add page = %d", resp.StatusCode)
	}
	if _, body := do(t, s, s.NewRequest(t, "GET", "/pages/winter", nil)); !strings.Contains(body, "<strong>warm</strong>") {
		t.Fatalf("page:\n%s", body)
	}
	if resp, _ := mgr("POST", "/admin/catalog/menu", url.Values{"menu": {"Bad | javascript:alert(1)"}}); resp.StatusCode != 400 {
		t.Fatalf("bad menu = %d", resp.StatusCode)
	}
	if resp, _ := mgr("POST", "/admin/catalog/menu", url.Values{"menu": {"Winter | /pages/winter"}}); resp.StatusCode != 303 {
		t.Fatalf("menu = %d", resp.StatusCode)
	}
	if _, body := do(t, s, s.NewRequest(t, "GET", "/products", nil)); !strings.Contains(body, `href="/pages/winter">Winter`) {
		t.Fatalf("menu not shown:\n%s", body)
	}
	if resp, _ := mgr("POST", "/admin/catalog/pages/winter/delete", url.Values{}); resp.StatusCode != 303 {
		t.Fatalf("delete page = %d", resp.StatusCode)
	}
	if resp, _ := do(t, s, s.NewRequest(t, "GET", "/pages/winter", nil)); resp.StatusCode != 404 {
		t.Fatalf("deleted page = %d", resp.StatusCode)
	}
}

func TestProductListFindsAndFlagsLowStock(t *testing.T) {
	s := testkit.StartServerWithGuard(t, store.SQLite, testkit.TestGuard)
	ctx := context.Background()
	for i, name := range []string{"Glucose Meter", "Test Strips", "Walking Cane"} {
		p := &catalog.Product{Name: name, Variants: []catalog.Variant{{SKU: "SK-" + name[:3], Price: 100, Stock: int64(i * 3)}}}
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
			t.Fatal(err)
		}
	}
	_, body := do(t, s, as(s.NewRequest(t, "GET", "/admin/catalog?q=gluc", nil), access.RoleStoreManager))
	if !strings.Contains(body, "Glucose Meter") || strings.Contains(body, "Walking Cane") || !strings.Contains(body, "1 of 3 products") || !strings.Contains(body, "low-stock") {
		t.Fatalf("find:\n%s", body)
	}
	if _, body := do(t, s, as(s.NewRequest(t, "GET", "/admin/catalog?q=sk-wal", nil), access.RoleStoreManager)); !strings.Contains(body, "Walking Cane") || strings.Contains(body, "low-stock") {
		t.Fatalf("find by SKU:\n%s", body)
	}
}
