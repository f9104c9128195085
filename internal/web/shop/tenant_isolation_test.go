package shop_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestTenantsSeeOnlyTheirCatalog: another tenant's host shows none of this
// tenant's products, pages, images or cached output, and its store manager
// cannot reach them by id.
func TestTenantsSeeOnlyTheirCatalog(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServerWithGuard(t, e, testkit.TestGuard)
		ctx := context.Background()
		p := seedShop(t, s)
		up, err := catalog.ProcessImage(demo.ProductImage(p.Name, "vitamins"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Catalog().AddImage(ctx, s.Tenant.ID, p.ID, "", up); err != nil {
			t.Fatal(err)
		}
		if err := s.Catalog().SavePage(ctx, &catalog.Page{TenantID: s.Tenant.ID, Title: "Sale", Body: "x", Published: true}); err != nil {
			t.Fatal(err)
		}
		now := s.Clock.Now()
		other := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Shop", Hostnames: []string{"other.example"},
			Theme: tenant.DefaultTheme, CreatedAt: now, UpdatedAt: now}
		if err := store.NewTenants(s.Stores.Catalog).Create(ctx, other); err != nil {
			t.Fatal(err)
		}
		if err := s.Tenants().Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		// Warm this tenant's caches first, so a leak through the cache would show.
		for _, path := range []string{"/products", "/products/" + p.Slug, "/api/v1/products", "/pages/sale"} {
			if resp, _ := do(t, s, s.NewRequest(t, "GET", path, nil)); resp.StatusCode != 200 {
				t.Fatalf("own tenant %s = %d", path, resp.StatusCode)
			}
		}
		onOther := func(method, path string, form url.Values, role access.Role) (int, string) {
			req := s.NewRequest(t, method, path, form)
			req.Host = "other.example"
			if method != "GET" {
				req.Header.Set("Origin", "http://other.example")
			}
			if role != "" {
				req.Header.Set(testkit.TestRoleHeader, string(role))
			}
			resp, body := do(t, s, req)
			return resp.StatusCode, body
		}
		if code, body := onOther("GET", "/products", nil, ""); code != 200 || !strings.Contains(body, "0 products") || strings.Contains(body, p.Name) {
			t.Fatalf("other tenant's catalog: %d\n%s", code, body)
		}
		if code, body := onOther("GET", "/api/v1/products", nil, ""); code != 200 || !strings.Contains(body, `"total":0`) {
			t.Fatalf("other tenant's API: %d %s", code, body)
		}
		for _, path := range []string{"/products/" + p.Slug, "/api/v1/products/" + p.Slug, "/pages/sale", "/categories/vitamins", "/media/" + up.SHA256 + "/l"} {
			if code, _ := onOther("GET", path, nil, ""); code != 404 {
				t.Errorf("other tenant GET %s = %d, want 404", path, code)
			}
		}
		if code, _ := onOther("GET", "/admin/catalog/products/"+p.ID, nil, access.RoleStoreManager); code != 404 {
			t.Errorf("other tenant's manager opened the product: %d", code)
		}
		form := url.Values{"name": {"Hijacked"}, "variant_sku": {"H1"}, "variant_price": {"1"}, "variant_stock": {"1"}}
		if code, _ := onOther("POST", "/admin/catalog/products/"+p.ID, form, access.RoleStoreManager); code != 404 {
			t.Errorf("other tenant's manager edited the product: %d", code)
		}
		if code, _ := onOther("POST", "/admin/catalog/products/"+p.ID+"/status", url.Values{"status": {"archived"}}, access.RoleStoreManager); code != 404 {
			t.Errorf("other tenant's manager archived the product: %d", code)
		}
		got, err := s.Catalog().ProductByID(ctx, s.Tenant.ID, p.ID)
		if err != nil || got.Name != p.Name || got.Status != catalog.StatusActive {
			t.Fatalf("the product changed: %+v %v", got, err)
		}
	})
}
