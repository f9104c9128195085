package shop_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/offers"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestSharedCatalogPerBrand: two brands of one organisation choose from its
// catalog. Each brand's storefront, search, product pages, API and cart show
// exactly the organisation products it chose, at its price, and its own
// products, never a sister brand's; the cached pages follow a change at the
// organisation and a brand's price change at once; checkout charges the
// brand's price and takes the shared stock once; another organisation's
// product cannot be chosen (404).
func TestSharedCatalogPerBrand(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		tenants := store.NewTenants(s.Stores.Catalog)
		now := s.Clock.Now()
		org := &tenant.Organisation{ID: id.New(), Slug: "group", Name: "Care Group", CreatedAt: now, UpdatedAt: now}
		other := &tenant.Organisation{ID: id.New(), Slug: "rival", Name: "Rival Group", CreatedAt: now, UpdatedAt: now}
		for _, o := range []*tenant.Organisation{org, other} {
			if err := tenants.CreateOrg(ctx, o); err != nil {
				t.Fatal(err)
			}
		}
		a := s.Tenant // brand A answers 127.0.0.1
		a.OrgID = org.ID
		if err := tenants.Update(ctx, a); err != nil {
			t.Fatal(err)
		}
		b := &tenant.Tenant{ID: id.New(), Slug: "travel", Name: "Travel Clinic", Hostnames: []string{"travel.example"},
			Theme: tenant.DefaultTheme, OrgID: org.ID, CreatedAt: now, UpdatedAt: now}
		if err := tenants.Create(ctx, b); err != nil {
			t.Fatal(err)
		}
		if err := s.Tenants().Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		own := func(tenantID, name, sku string) {
			p := &catalog.Product{Name: name, Variants: []catalog.Variant{{SKU: sku, Price: 300, Stock: 9}}}
			if err := s.Catalog().SaveProduct(ctx, tenantID, p); err != nil {
				t.Fatal(err)
			}
		}
		own(a.ID, "Alpha Own Balm", "ALPHA-1")
		own(b.ID, "Beta Own Spray", "BETA-1")
		orgCat := catalog.NewService(store.NewOrgCatalogRepo(s.Stores.Catalog), s.Clock)
		orgProduct := func(ownerID, name, sku string, price, stock int64) *catalog.Product {
			p := &catalog.Product{Name: name, Variants: []catalog.Variant{{SKU: sku, Price: price, Stock: stock}}}
			if err := orgCat.SaveProduct(ctx, ownerID, p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		sun := orgProduct(org.ID, "Shared Sunscreen", "SUN-1", 1000, 5)
		plasters := orgProduct(org.ID, "Shared Plasters", "PL-1", 500, 10)
		orgProduct(org.ID, "Unchosen Gloves", "GL-1", 700, 10)
		rival := orgProduct(other.ID, "Rival Lotion", "RV-1", 900, 10)

		// Brand A's store manager works through the pages; brand B's
		// through the same audited service the pages call.
		mgrA := s.ClientAs(t, s.NewPerson(t, access.RoleStoreManager))
		offersB := offers.New(store.NewOrgCatalogRepo(s.Stores.Catalog), s.Catalog(), s.Stores.AuditLog)
		ctxB := access.WithActor(ctx, access.Actor{ID: "manager-b", Role: access.RoleStoreManager, TenantID: b.ID})
		on := func(c *http.Client, host, method, path string, form url.Values) (int, string) {
			req := s.NewRequest(t, method, path, form)
			if host != "" {
				req.Host = host
				if method != "GET" {
					req.Header.Set("Origin", "http://"+host)
				}
			}
			resp, body := testkit.Do(t, c, req)
			return resp.StatusCode, body
		}
		get := func(host, path string) (int, string) { return on(s.Client(), host, "GET", path, nil) }
		manage := func(path string, form url.Values) int {
			code, _ := on(mgrA, "", "POST", path, form)
			return code
		}
		// Warm both brands' caches first, so a stale cache would show.
		for _, h := range []string{"", "travel.example"} {
			for _, path := range []string{"/products", "/api/v1/products", "/products?q=shared"} {
				if code, _ := get(h, path); code != 200 {
					t.Fatalf("%s %s = %d", h, path, code)
				}
			}
		}
		// The organisation catalog page lists the organisation's products, not a rival's.
		code, page := on(mgrA, "", "GET", "/admin/catalog/organisation", nil)
		if code != 200 || !strings.Contains(page, "Shared Sunscreen") || !strings.Contains(page, "Unchosen Gloves") || strings.Contains(page, "Rival Lotion") {
			t.Fatalf("organisation catalog page: %d\n%s", code, page)
		}
		for _, pid := range []string{sun.ID, plasters.ID} {
			if code := manage("/admin/catalog/organisation/"+pid, url.Values{"sell": {"yes"}}); code != 303 {
				t.Fatalf("choose in A: %d", code)
			}
		}
		if err := offersB.Choose(ctxB, b.ID, sun.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := offersB.SetPrice(ctxB, b.ID, sun.Variants[0].ID, "12.50"); err != nil {
			t.Fatal(err)
		}
		// A bad price is refused and changes nothing.
		if code, body := on(mgrA, "", "POST", "/admin/catalog/organisation/variants/"+sun.Variants[0].ID+"/price",
			url.Values{"price": {"twelve"}}); code != 400 || !strings.Contains(body, "Give a price such as 12.50") || !strings.Contains(body, `value="twelve"`) {
			t.Fatalf("bad price: %d\n%s", code, body)
		}
		// Another organisation's product or variant: the same 404 as none.
		if code := manage("/admin/catalog/organisation/"+rival.ID, url.Values{"sell": {"yes"}}); code != 404 {
			t.Errorf("chose a rival organisation's product: %d", code)
		}
		if code := manage("/admin/catalog/organisation/variants/"+rival.Variants[0].ID+"/price", url.Values{"price": {"1.00"}}); code != 404 {
			t.Errorf("priced a rival organisation's variant: %d", code)
		}

		shows := func(host, path string, want, not []string) {
			t.Helper()
			code, body := get(host, path)
			if code != 200 {
				t.Fatalf("%q %s = %d", host, path, code)
			}
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Errorf("%q %s lacks %q", host, path, w)
				}
			}
			for _, n := range not {
				if strings.Contains(body, n) {
					t.Errorf("%q %s shows %q", host, path, n)
				}
			}
		}
		shows("", "/products", []string{"Shared Sunscreen", "$10.00", "Shared Plasters", "Alpha Own Balm"}, []string{"Beta Own", "Unchosen Gloves", "$12.50", "Rival"})
		shows("travel.example", "/products", []string{"Shared Sunscreen", "$12.50", "Beta Own Spray"}, []string{"Plasters", "Alpha Own", "Unchosen Gloves", "$10.00", "Rival"})
		shows("", "/products?q=shared", []string{"Shared Sunscreen", "Shared Plasters"}, []string{"Gloves"})
		shows("travel.example", "/products?q=shared", []string{"Shared Sunscreen"}, []string{"Plasters", "Gloves"})
		shows("travel.example", "/products?q=plasters", nil, []string{"Shared Plasters"})
		shows("travel.example", "/products/shared-sunscreen", []string{"$12.50"}, []string{"$10.00"})
		shows("", "/api/v1/products/shared-sunscreen", []string{`"amount":1000`}, []string{`"amount":1250`})
		shows("travel.example", "/api/v1/products/shared-sunscreen", []string{`"amount":1250`}, []string{`"amount":1000`})
		shows("travel.example", "/api/v1/products?q=shared", []string{"shared-sunscreen"}, []string{"plasters"})
		for _, path := range []string{"/products/shared-plasters", "/api/v1/products/shared-plasters", "/products/unchosen-gloves", "/products/alpha-own-balm"} {
			if code, _ := get("travel.example", path); code != 404 {
				t.Errorf("travel %s = %d, want 404", path, code)
			}
		}
		if code, _ := get("", "/products/beta-own-spray"); code != 404 {
			t.Errorf("brand A shows brand B's own product: %d", code)
		}

		// The organisation renames the product: both brands show it at once
		// (their catalog versions moved); a brand's price change moves only its own.
		// (The organisation's catalog is changed by another process, salve
		// catalog import --org; this server sees the brands' new versions
		// within a second, its version cache's bound.)
		sun.Name = "Shared Sunscreen SPF50"
		if err := orgCat.SaveProduct(ctx, org.ID, sun); err != nil {
			t.Fatal(err)
		}
		s.Clock.Advance(time.Second)
		shows("", "/products", []string{"Shared Sunscreen SPF50", "$10.00"}, nil)
		shows("travel.example", "/products", []string{"Shared Sunscreen SPF50", "$12.50"}, nil)
		if err := offersB.SetPrice(ctxB, b.ID, sun.Variants[0].ID, "13.00"); err != nil {
			t.Fatal(err)
		}
		shows("travel.example", "/products", []string{"$13.00"}, []string{"$12.50"})
		shows("", "/products", []string{"$10.00"}, []string{"$13.00"})

		// A brand cannot edit its copy as if it were its own product.
		copyB, err := s.Catalog().ProductBySlug(ctx, b.ID, "shared-sunscreen")
		if err != nil {
			t.Fatal(err)
		}
		copyA, err := s.Catalog().ProductBySlug(ctx, a.ID, "shared-sunscreen")
		if err != nil {
			t.Fatal(err)
		}
		code, body := on(mgrA, "", "POST", "/admin/catalog/products/"+copyA.ID,
			url.Values{"name": {"Cheap"}, "variant_sku": {"SUN-1"}, "variant_price": {"0.01"}, "variant_stock": {"99"}})
		if code == 303 || !strings.Contains(body, "organisation") {
			t.Fatalf("edit of the copy: %d", code)
		}
		// An anonymous cart in brand B costs its price.
		cb := s.Client()
		req := s.NewRequest(t, "POST", "/cart/items", url.Values{"variant": {copyB.Variants[0].ID}, "quantity": {"1"}})
		req.Host, req.Header["Origin"] = "travel.example", []string{"http://travel.example"}
		if r, _ := testkit.Do(t, cb, req); r.StatusCode != 303 {
			t.Fatalf("add in B: %d", r.StatusCode)
		}
		req = s.NewRequest(t, "GET", "/cart", nil)
		req.Host = "travel.example"
		if _, body := testkit.Do(t, cb, req); !strings.Contains(body, "$13.00") {
			t.Fatalf("cart in B:\n%s", body)
		}
		// Brand B's variant is not for sale in brand A.
		ca := s.Client()
		if r, body := testkit.Do(t, ca, s.NewRequest(t, "POST", "/cart/items", url.Values{"variant": {copyB.Variants[0].ID}, "quantity": {"1"}})); r.StatusCode != 422 || !strings.Contains(body, "not for sale") {
			t.Fatalf("B's variant in A's cart: %d", r.StatusCode)
		}

		// Checkout in brand A: its price; the shared stock is taken once.
		patient := s.NewPerson(t, access.RolePatient)
		c := s.ClientAs(t, patient)
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/cart/items", url.Values{"variant": {copyA.Variants[0].ID}, "quantity": {"2"}})); r.StatusCode != 303 {
			t.Fatalf("add in A: %d", r.StatusCode)
		}
		// 2 × 10.00 + express 14.99 + NY 4% of 20.00 = 0.80 → 35.79.
		if r, body := testkit.Do(t, c, s.NewRequest(t, "POST", "/checkout", address)); r.StatusCode != 200 || !strings.Contains(body, "$35.79") {
			t.Fatalf("review: %d", r.StatusCode)
		}
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/checkout/pay", address)); r.StatusCode != 303 || !orderURL.MatchString(r.Header.Get("Location")) {
			t.Fatalf("pay: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if gw := s.Services().TestGateway; gw.Total() != 3579 {
			t.Fatalf("charged %d", gw.Total())
		}
		orgSun, err := orgCat.ProductBySlug(ctx, org.ID, "shared-sunscreen")
		if err != nil {
			t.Fatal(err)
		}
		for who, stock := range map[string]int64{"organisation": orgSun.Variants[0].Stock, "brand A": stockOf(t, s, a.ID), "brand B": stockOf(t, s, b.ID)} {
			if stock != 3 {
				t.Errorf("%s stock after 2 sold: %d, want 3", who, stock)
			}
		}

		// Brand A stops selling the plasters: gone from its shop at once.
		if code := manage("/admin/catalog/organisation/"+plasters.ID, url.Values{"sell": {"no"}}); code != 303 {
			t.Fatalf("withdraw: %d", code)
		}
		if code, _ := get("", "/products/shared-plasters"); code != 404 {
			t.Errorf("withdrawn product still shown: %d", code)
		}
		shows("", "/products", nil, []string{"Shared Plasters"})
	})
}

func stockOf(t *testing.T, s *testkit.Server, tenantID string) int64 {
	t.Helper()
	p, err := s.Catalog().ProductBySlug(context.Background(), tenantID, "shared-sunscreen")
	if err != nil {
		t.Fatal(err)
	}
	return p.Variants[0].Stock
}
