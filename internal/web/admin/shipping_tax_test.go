package admin_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestShippingAndTaxPages: a store manager adds a method, a zone and a
// rate by weight at /admin/shipping and edits a region's tax at /admin/tax
// without JavaScript; a refused value says why beside its field, keeps what
// was typed and changes nothing; other staff and patients get the 404.
// Both engines.
func TestShippingAndTaxPages(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServerWithGuard(t, e, testkit.TestGuard)
		req := func(method, path string, v url.Values, role access.Role) (int, string) {
			r, body := do(t, s, as(s.NewRequest(t, method, path, v), role))
			return r.StatusCode, body
		}
		mgr := access.RoleStoreManager
		if code, body := req("GET", "/admin/shipping", nil, mgr); code != 200 || !strings.Contains(body, "Standard (3–5 business days)") ||
			!strings.Contains(body, "United States") {
			t.Fatalf("the shipping page with the defaults: %d", code)
		}
		if code, _ := req("POST", "/admin/shipping/methods", url.Values{"code": {"cold"}, "label": {"Cold chain (overnight)"}}, mgr); code != 303 {
			t.Fatalf("add a method: %d", code)
		}
		code, body := req("POST", "/admin/shipping/zones", url.Values{"code": {"islands"}, "name": {"Islands"}, "regions": {"HI, ZZ"}}, mgr)
		if code != 400 || !strings.Contains(body, "Not a US state, DC or territory code: ZZ.") || !strings.Contains(body, "HI, ZZ") {
			t.Fatalf("a zone with an unknown region: %d", code)
		}
		code, body = req("POST", "/admin/shipping/zones", url.Values{"code": {"islands"}, "name": {"Islands"}, "regions": {"HI"}}, mgr)
		if code != 400 || !strings.Contains(body, "HI is already in the zone United States") {
			t.Fatalf("a region in two zones: %d", code)
		}
		if code, _ := req("POST", "/admin/shipping/zones", url.Values{"code": {"us"}, "name": {"Mainland"}, "regions": {"CA, OR, WA"}}, mgr); code != 303 {
			t.Fatalf("shrink the default zone: %d", code)
		}
		if code, _ := req("POST", "/admin/shipping/zones", url.Values{"code": {"islands"}, "name": {"Islands"}, "regions": {"HI, PR"}}, mgr); code != 303 {
			t.Fatalf("add a zone: %d", code)
		}
		code, body = req("POST", "/admin/shipping/rates", url.Values{"method": {"cold"}, "zone": {"islands"}, "kind": {"weight"}, "price": {"abc"}}, mgr)
		if code != 400 || !strings.Contains(body, "Enter an amount such as 4.99.") || !strings.Contains(body, "Enter what each kilogram adds") {
			t.Fatalf("a bad rate: %d", code)
		}
		if code, _ := req("POST", "/admin/shipping/rates", url.Values{"method": {"cold"}, "zone": {"islands"}, "kind": {"weight"},
			"price": {"9.00"}, "per_kg": {"2.50"}}, mgr); code != 303 {
			t.Fatalf("a rate by weight: %d", code)
		}
		if _, body := req("GET", "/admin/shipping", nil, mgr); !strings.Contains(body, "plus $2.50 per started kilogram") ||
			!strings.Contains(body, "in no zone") {
			t.Fatal("the rate, and the regions no zone holds, on the page")
		}
		if code, body := req("GET", "/admin/tax", nil, mgr); code != 200 || !strings.Contains(body, "Northern Mariana Islands") || !strings.Contains(body, `value="6.875"`) {
			t.Fatalf("the tax page: %d", code)
		}
		code, body = req("POST", "/admin/tax/MN", url.Values{"rate": {"45"}, "exempt_hsa": {"1"}}, mgr)
		if code != 400 || !strings.Contains(body, "Enter the rate of Minnesota as a percentage from 0 to 30") || !strings.Contains(body, `value="45"`) ||
			!strings.Contains(body, `id="t-MN-hsa" name="exempt_hsa" value="1" checked`) {
			t.Fatalf("a refused rate: %d", code)
		}
		if code, _ := req("POST", "/admin/tax/MN", url.Values{"rate": {"7.375"}, "exempt_rx": {"1"}, "exempt_hsa": {"1"}}, mgr); code != 303 {
			t.Fatalf("set MN: %d", code)
		}
		if _, body := req("GET", "/admin/tax", nil, mgr); !strings.Contains(body, `value="7.375"`) || strings.Contains(body, `value="6.875"`) {
			t.Fatal("the new MN rate on the page")
		}
		for _, c := range []struct {
			method, path string
			role         access.Role
		}{
			{"POST", "/admin/tax/ZZ", mgr},
			{"POST", "/admin/shipping/methods/nosuch/delete", mgr},
			{"GET", "/admin/shipping", access.RolePharmacist},
			{"GET", "/admin/tax", access.RoleCustomerService},
			{"POST", "/admin/tax/CA", access.RolePatient},
			{"POST", "/admin/shipping/rates", access.RoleFulfillment},
		} {
			if code, _ := req(c.method, c.path, url.Values{"rate": {"1"}}, c.role); code != 404 {
				t.Errorf("%s %s as %s: %d, want 404", c.method, c.path, c.role, code)
			}
		}
	})
}

// TestVariantWeightOnTheProductForm: a store manager gives a variant its
// shipping weight in grams (for rates by weight); a weight that is not a
// whole number of grams is refused and saves nothing. Both engines.
func TestVariantWeightOnTheProductForm(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServerWithGuard(t, e, testkit.TestGuard)
		bad := productForm("Scale", "30.00", "3")
		bad["variant_weight"] = []string{"1.5kg"}
		if resp, body := do(t, s, as(s.NewRequest(t, "POST", "/admin/catalog/products", bad), access.RoleStoreManager)); resp.StatusCode != 400 ||
			!strings.Contains(body, "the weight must be a whole number of grams") {
			t.Fatalf("a bad weight: %d", resp.StatusCode)
		}
		f := productForm("Scale", "30.00", "3")
		f["variant_weight"] = []string{"1500"}
		if resp, _ := do(t, s, as(s.NewRequest(t, "POST", "/admin/catalog/products", f), access.RoleStoreManager)); resp.StatusCode != 303 {
			t.Fatalf("create: %d", resp.StatusCode)
		}
		ps, err := s.Catalog().AllProducts(context.Background(), s.Tenant.ID)
		if err != nil || len(ps) != 1 || ps[0].Variants[0].WeightGrams != 1500 {
			t.Fatalf("stored: %+v %v", ps, err)
		}
		if _, body := do(t, s, as(s.NewRequest(t, "GET", "/admin/catalog/products/"+ps[0].ID, nil), access.RoleStoreManager)); !strings.Contains(body, `name="variant_weight" value="1500"`) {
			t.Fatal("the weight on the edit form")
		}
	})
}
