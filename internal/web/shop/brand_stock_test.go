package shop_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestBrandOwnStockPage: a brand's store manager switches a shared product's
// variant to this shop's own stock at /admin/catalog/organisation: the
// brand's shop and API show its own level while the sister brand still shows
// the organisation's (out of stock), the change is audited, a bad count is
// refused with what was typed, a variant not chosen is refused, another
// organisation's variant is the 404 of none, and switching back shows the
// shared stock again; the shop's CSV export leaves its copies out and
// imports again. Both engines.
func TestBrandOwnStockPage(t *testing.T) {
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
		a := s.Tenant
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
		repo := store.NewOrgCatalogRepo(s.Stores.Catalog)
		orgCat := catalog.NewService(repo, s.Clock)
		orgProduct := func(ownerID, name, sku string, stock int64) *catalog.Product {
			p := &catalog.Product{Name: name, Variants: []catalog.Variant{{SKU: sku, Price: 1000, Stock: stock}}}
			if err := orgCat.SaveProduct(ctx, ownerID, p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		sun := orgProduct(org.ID, "Shared Sunscreen", "SUN-1", 0)
		gloves := orgProduct(org.ID, "Unchosen Gloves", "GL-1", 10)
		rival := orgProduct(other.ID, "Rival Lotion", "RV-1", 10)
		for _, x := range []string{a.ID, b.ID} {
			if err := repo.Choose(ctx, x, sun.ID, true, now); err != nil {
				t.Fatal(err)
			}
		}
		mgr := s.NewPerson(t, access.RoleStoreManager)
		mgrA := s.ClientAs(t, mgr)
		on := func(c *http.Client, host, method, path string, form url.Values) (int, string) {
			req := s.NewRequest(t, method, path, form)
			if host != "" {
				req.Host = host
			}
			resp, body := testkit.Do(t, c, req)
			return resp.StatusCode, body
		}
		stockOf := func(vid, count string) (int, string) {
			return on(mgrA, "", "POST", "/admin/catalog/organisation/variants/"+vid+"/stock", url.Values{"stock": {count}})
		}
		availability := func(host string) string {
			t.Helper()
			code, body := on(s.Client(), host, "GET", "/products/shared-sunscreen", nil)
			if code != 200 {
				t.Fatalf("%q product page: %d", host, code)
			}
			for _, l := range []string{"Out of stock", "Only a few left", "In stock"} {
				if strings.Contains(body, `<td data-label="Availability">`+l) {
					return l
				}
			}
			t.Fatalf("no availability in %s", body)
			return ""
		}
		if availability("") != "Out of stock" || availability("travel.example") != "Out of stock" {
			t.Fatal("the shared product should start out of stock")
		}
		if code, _ := stockOf(sun.Variants[0].ID, "40"); code != 303 {
			t.Fatalf("own stock: %d", code)
		}
		if got := availability(""); got != "In stock" {
			t.Errorf("A on its own stock: %s", got)
		}
		if got := availability("travel.example"); got != "Out of stock" {
			t.Errorf("B follows A's own stock: %s", got)
		}
		code, page := on(mgrA, "", "GET", "/admin/catalog/organisation", nil)
		if code != 200 || !strings.Contains(page, `value="40"`) || !strings.Contains(page, "Sell the organisation's stock of SUN-1") {
			t.Fatalf("the page does not show the own stock: %d\n%s", code, page)
		}
		recs, err := s.Stores.AuditLog.Find(ctx, audit.Query{TenantID: a.ID, ActorID: mgr.ID, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(recs, func(r audit.Record) bool { return r.Action == "catalog.offer.stock" }) {
			t.Error("the stock change was not audited")
		}
		// Refused: a bad count (shown again), a product not chosen here,
		// another organisation's variant (404, like none).
		if code, body := stockOf(sun.Variants[0].ID, "-3"); code != 400 || !strings.Contains(body, "Give a whole number") || !strings.Contains(body, `value="-3"`) {
			t.Fatalf("bad count: %d\n%s", code, body)
		}
		if code, body := stockOf(gloves.Variants[0].ID, "5"); code != 400 || !strings.Contains(body, "Sell the product here first") {
			t.Fatalf("own stock of an unchosen product: %d", code)
		}
		if code, _ := stockOf(rival.Variants[0].ID, "5"); code != 404 {
			t.Errorf("own stock of a rival organisation's variant: %d", code)
		}
		if code, _ := stockOf(id.New(), "5"); code != 404 {
			t.Errorf("own stock of no variant: %d", code)
		}
		// The shop's CSV export leaves its copies of shared products out, so
		// the file imports again (a copy is not the shop's to import).
		if err := s.Catalog().SaveProduct(ctx, a.ID, &catalog.Product{Name: "Alpha Own Balm", Variants: []catalog.Variant{{SKU: "ALPHA-1", Price: 300, Stock: 9}}}); err != nil {
			t.Fatal(err)
		}
		var csv bytes.Buffer
		if err := s.Catalog().Export(ctx, a.ID, &csv); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(csv.String(), "ALPHA-1") || strings.Contains(csv.String(), "SUN-1") {
			t.Fatalf("export:\n%s", csv.String())
		}
		if _, err := s.Catalog().Import(ctx, a.ID, bytes.NewReader(csv.Bytes())); err != nil {
			t.Fatalf("the exported file does not import again: %v", err)
		}
		// Back to the shared stock.
		if code, _ := stockOf(sun.Variants[0].ID, ""); code != 303 {
			t.Fatalf("back to shared: %d", code)
		}
		if got := availability(""); got != "Out of stock" {
			t.Errorf("A back on the shared stock: %s", got)
		}
	})
}
