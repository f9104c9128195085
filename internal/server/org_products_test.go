package server_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/web"
)

// TestOrgProductPages: a person with an organisation-level store manager
// role lists, creates and edits the organisation's own products in pages,
// from their brand or (switcher) a sister brand; a change reaches the copy
// of every brand that sells the product (name, price, shared stock) while a
// brand's own price stays its own; each save is audited. A brand's own store
// manager, and anyone reaching for another organisation's product, gets the
// 404 of absence. Both engines.
func TestOrgProductPages(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		w := newBrandWorld(t, e)
		s := w.s
		ctx := context.Background()
		orgMgr := s.NewPerson(t, access.RoleStoreManager)
		w.grantOrgRole(t, orgMgr, access.RoleStoreManager)
		brandMgr := s.NewPerson(t, access.RoleStoreManager)
		orgC, brandC := s.ClientAs(t, orgMgr), s.ClientAs(t, brandMgr)
		do := func(c *http.Client, method, path string, form url.Values, actIn string) (int, string) {
			t.Helper()
			req := s.NewRequest(t, method, path, form)
			if actIn != "" {
				req.AddCookie(&http.Cookie{Name: web.BrandCookiePlain, Value: actIn})
			}
			resp, body := testkit.Do(t, c, req)
			return resp.StatusCode, body
		}
		const base = "/admin/catalog/organisation/products"
		if code, body := do(orgC, "GET", base, nil, ""); code != 200 || !strings.Contains(body, "has no products yet") {
			t.Fatalf("empty list: %d\n%s", code, body)
		}
		if code, _ := do(orgC, "GET", base+"/new", nil, ""); code != 200 {
			t.Fatalf("new form: %d", code)
		}
		form := url.Values{"name": {"Group Sunscreen"}, "status": {"active"}, "description": {"Broad **spectrum**."},
			"variant_id": {""}, "variant_sku": {"GSUN-1"}, "variant_name": {"50 ml"}, "variant_price": {"10.00"},
			"variant_currency": {"USD"}, "variant_stock": {"30"}}
		// A brand's own store manager may not touch the organisation's catalog.
		for _, p := range []string{base, base + "/new"} {
			if code, _ := do(brandC, "GET", p, nil, ""); code != 404 {
				t.Errorf("brand manager GET %s: %d, want 404", p, code)
			}
		}
		if code, _ := do(brandC, "POST", base, form, ""); code != 404 {
			t.Errorf("brand manager created an organisation product: %d", code)
		}
		if code, _ := do(orgC, "POST", base, form, ""); code != 303 {
			t.Fatalf("create: %d", code)
		}
		orgRepo := store.NewOrgCatalogRepo(s.Stores.Catalog)
		ps, err := orgRepo.AllProducts(ctx, w.org.ID)
		if err != nil || len(ps) != 1 || ps[0].Variants[0].Stock != 30 {
			t.Fatalf("after create: %v %+v", err, ps)
		}
		p := ps[0]
		if code, body := do(orgC, "GET", base, nil, ""); code != 200 || !strings.Contains(body, "Group Sunscreen") {
			t.Fatalf("list: %d", code)
		}
		// Both brands sell it; B at its own price.
		now := s.Clock.Now()
		for _, b := range []string{w.a.ID, w.b.ID} {
			if err := orgRepo.Choose(ctx, b, p.ID, true, now); err != nil {
				t.Fatal(err)
			}
		}
		if err := orgRepo.SetPrice(ctx, w.b.ID, p.Variants[0].ID, 1250, now); err != nil {
			t.Fatal(err)
		}
		// Edited from the sister brand (switcher): rename, new price, new stock.
		form.Set("variant_id", p.Variants[0].ID)
		form.Set("name", "Group Sunscreen SPF50")
		form.Set("slug", p.Slug)
		form.Set("variant_price", "11.00")
		form.Set("variant_stock", "2")
		if code, body := do(orgC, "GET", base+"/"+p.ID, nil, w.b.ID); code != 200 || !strings.Contains(body, `value="GSUN-1"`) {
			t.Fatalf("edit form from B: %d", code)
		}
		if code, _ := do(orgC, "POST", base+"/"+p.ID, form, w.b.ID); code != 303 {
			t.Fatalf("edit from B: %d", code)
		}
		cat := store.NewCatalogRepo(s.Stores.Catalog)
		for _, c := range []struct {
			brand string
			price int64
		}{{w.a.ID, 1100}, {w.b.ID, 1250}} {
			cp, err := cat.ProductBySlug(ctx, c.brand, p.Slug)
			if err != nil {
				t.Fatal(err)
			}
			if cp.Name != "Group Sunscreen SPF50" || cp.Variants[0].Price != c.price || cp.Variants[0].Stock != 2 {
				t.Errorf("copy in %s: %q at %d, stock %d", c.brand, cp.Name, cp.Variants[0].Price, cp.Variants[0].Stock)
			}
		}
		s.Clock.Advance(time.Second)
		if code, body := do(s.Client(), "GET", "/products/"+p.Slug, nil, ""); code != 200 || !strings.Contains(body, "SPF50") || !strings.Contains(body, "Only a few left") {
			t.Errorf("A's shop after the change: %d", code)
		}
		// A refused form changes nothing and comes back as typed.
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("variant_price", "eleven")
		bad.Set("name", "Typed Name")
		if code, body := do(orgC, "POST", base+"/"+p.ID, bad, ""); code != 400 || !strings.Contains(body, `value="Typed Name"`) {
			t.Fatalf("bad form: %d", code)
		}
		if x, _ := orgRepo.ProductByID(ctx, w.org.ID, p.ID); x.Name != "Group Sunscreen SPF50" {
			t.Errorf("a refused form changed the product: %q", x.Name)
		}
		// Another organisation's product: the 404 of none, also when forged
		// into the form's path.
		rival := &catalog.Product{Name: "Rival Lotion", Variants: []catalog.Variant{{SKU: "RV-1", Price: 900, Stock: 3}}}
		if err := catalog.NewService(orgRepo, s.Clock).SaveProduct(ctx, w.c.OrgID, rival); err != nil {
			t.Fatal(err)
		}
		if code, _ := do(orgC, "GET", base+"/"+rival.ID, nil, ""); code != 404 {
			t.Errorf("another organisation's product: %d", code)
		}
		if code, _ := do(orgC, "POST", base+"/"+rival.ID, form, ""); code != 404 {
			t.Errorf("saved over another organisation's product: %d", code)
		}
		if code, _ := do(brandC, "GET", base+"/"+p.ID, nil, ""); code != 404 {
			t.Errorf("brand manager opened the organisation product: %d", code)
		}
		recs, err := s.Stores.AuditLog.Find(ctx, audit.Query{ActorID: orgMgr.ID, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		saves := 0
		for _, r := range recs {
			if r.Action == "catalog.org.product.save" {
				saves++
			}
		}
		if saves < 2 || !slices.ContainsFunc(recs, func(r audit.Record) bool { return r.Action == "catalog.org.product.save" && r.TenantID == w.b.ID }) {
			t.Errorf("audited saves: %d (one in B expected)", saves)
		}
	})
}

// TestOrgProductPictures: a picture the organisation's store manager adds to
// an organisation product (checked and resized like a shop's own) shows on
// every brand's copy and is served at each brand's host; a brand's own
// picture of its copy stays its own when the organisation removes its
// picture; a brand cannot remove the organisation's picture from its copy;
// a file that is no image is refused. Both engines.
func TestOrgProductPictures(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		w := newBrandWorld(t, e)
		s := w.s
		ctx := context.Background()
		orgMgr := s.NewPerson(t, access.RoleStoreManager)
		w.grantOrgRole(t, orgMgr, access.RoleStoreManager)
		orgC := s.ClientAs(t, orgMgr)
		orgRepo := store.NewOrgCatalogRepo(s.Stores.Catalog)
		p := &catalog.Product{Name: "Group Thermometer", Status: catalog.StatusActive, Variants: []catalog.Variant{{SKU: "GT-1", Price: 999, Stock: 9}}}
		if err := catalog.NewService(orgRepo, s.Clock).SaveProduct(ctx, w.org.ID, p); err != nil {
			t.Fatal(err)
		}
		for _, b := range []string{w.a.ID, w.b.ID} {
			if err := orgRepo.Choose(ctx, b, p.ID, true, s.Clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		upload := func(c *http.Client, path string, data []byte) int {
			t.Helper()
			var b bytes.Buffer
			mw := multipart.NewWriter(&b)
			fw, err := mw.CreateFormFile("image", "t.png")
			if err != nil {
				t.Fatal(err)
			}
			_, _ = fw.Write(data)
			_ = mw.WriteField("alt", "A group thermometer")
			_ = mw.Close()
			req, err := http.NewRequest("POST", s.URL+path, &b)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", mw.FormDataContentType())
			req.Header.Set("Origin", s.URL)
			resp, _ := testkit.Do(t, c, req)
			return resp.StatusCode
		}
		pic := func(w, h int) []byte {
			img := image.NewNRGBA(image.Rect(0, 0, w, h))
			for x := range w {
				img.SetNRGBA(x, x%h, color.NRGBA{10, 10, 200, 255})
			}
			var b bytes.Buffer
			_ = png.Encode(&b, img)
			return b.Bytes()
		}
		base := "/admin/catalog/organisation/products/" + p.ID
		if code := upload(orgC, base+"/images", []byte("not an image at all")); code != 400 {
			t.Fatalf("a file that is no image: %d", code)
		}
		if code := upload(orgC, base+"/images", pic(1600, 1200)); code != 303 {
			t.Fatalf("upload: %d", code)
		}
		op, err := orgRepo.ProductByID(ctx, w.org.ID, p.ID)
		if err != nil || len(op.Images) != 1 || op.Images[0].Width != 800 {
			t.Fatalf("organisation picture: %v %+v", err, op)
		}
		sha := op.Images[0].SHA256
		cat := store.NewCatalogRepo(s.Stores.Catalog)
		copyOf := func(brand string) *catalog.Product {
			t.Helper()
			c, err := cat.ProductBySlug(ctx, brand, p.Slug)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		for _, b := range []string{w.a.ID, w.b.ID} {
			if c := copyOf(b); len(c.Images) != 1 || c.Images[0].SHA256 != sha || c.Images[0].Alt != "A group thermometer" {
				t.Fatalf("copy in %s: %+v", b, c.Images)
			}
		}
		s.Clock.Advance(time.Second)
		get := func(host, path string) (int, string) {
			req := s.NewRequest(t, "GET", path, nil)
			req.Host = host
			resp, body := testkit.Do(t, s.Client(), req)
			return resp.StatusCode, body
		}
		for _, host := range []string{"", "sister.test"} {
			if code, body := get(host, "/products/"+p.Slug); code != 200 || !strings.Contains(body, "/media/"+sha+"/l") {
				t.Errorf("%q product page lacks the organisation's picture: %d", host, code)
			}
			if code, _ := get(host, "/media/"+sha+"/t"); code != 200 {
				t.Errorf("%q does not serve the organisation's picture: %d", host, code)
			}
		}
		// The unrelated tenant does not serve the organisation's bytes.
		if code, _ := get("unrelated.test", "/media/"+sha+"/t"); code != 404 {
			t.Errorf("the unrelated tenant serves the organisation's picture: %d", code)
		}
		// Brand A adds a picture of its own to its copy; it stays when the
		// organisation removes its picture. A cannot remove the organisation's.
		mgrA := s.ClientAs(t, s.NewPerson(t, access.RoleStoreManager))
		copyA := copyOf(w.a.ID)
		if code := upload(mgrA, "/admin/catalog/products/"+copyA.ID+"/images", pic(900, 900)); code != 303 {
			t.Fatalf("A's own picture: %d", code)
		}
		req := s.NewRequest(t, "POST", "/admin/catalog/products/"+copyA.ID+"/images/"+copyA.Images[0].ID+"/delete", url.Values{})
		if resp, _ := testkit.Do(t, mgrA, req); resp.StatusCode != 400 {
			t.Errorf("A removed the organisation's picture from its copy: %d", resp.StatusCode)
		}
		req = s.NewRequest(t, "POST", base+"/images/"+op.Images[0].ID+"/delete", url.Values{})
		if resp, _ := testkit.Do(t, orgC, req); resp.StatusCode != 303 {
			t.Fatalf("organisation removes its picture: %d", resp.StatusCode)
		}
		if c := copyOf(w.a.ID); len(c.Images) != 1 || c.Images[0].SHA256 == sha {
			t.Errorf("A's copy after the organisation's removal: %+v", c.Images)
		}
		if c := copyOf(w.b.ID); len(c.Images) != 0 {
			t.Errorf("B's copy after the organisation's removal: %+v", c.Images)
		}
		// A brand manager cannot upload to the organisation's product.
		if code := upload(mgrA, base+"/images", pic(100, 100)); code != 404 {
			t.Errorf("a brand manager uploaded to the organisation's product: %d", code)
		}
	})
}
