package admin_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestCatalogAdminInABrowser: a store manager adds a product through the form;
// every admin page passes axe and loads nothing from another origin.
func TestCatalogAdminInABrowser(t *testing.T) {
	s := testkit.StartServerWithGuard(t, store.SQLite, testkit.TestGuard)
	b := testkit.NewBrowser(t, s.URL)
	b.Run(network.SetExtraHTTPHeaders(network.Headers{testkit.TestRoleHeader: "store_manager"}))
	b.Run(chromedp.Navigate(s.URL+"/admin/catalog"), chromedp.WaitVisible("h1", chromedp.ByQuery))
	b.Axe()
	var h1 string
	b.Run(
		chromedp.Navigate(s.URL+"/admin/catalog/products/new"),
		chromedp.WaitVisible("#name", chromedp.ByQuery),
		chromedp.SetValue("#name", "Pulse Oximeter", chromedp.ByQuery),
		chromedp.SetValue(`input[name="variant_sku"]`, "OX-1", chromedp.ByQuery),
		chromedp.SetValue(`input[name="variant_price"]`, "24.99", chromedp.ByQuery),
		chromedp.SetValue(`input[name="variant_stock"]`, "7", chromedp.ByQuery),
		chromedp.SetValue("#status", "active", chromedp.ByQuery),
	)
	b.Axe()
	b.Run(
		chromedp.Submit("#name", chromedp.ByQuery),
		chromedp.WaitVisible(".flash", chromedp.ByQuery),
		chromedp.Text("h1", &h1, chromedp.ByQuery),
	)
	if h1 != "Pulse Oximeter" {
		t.Fatalf("after saving: %q", h1)
	}
	b.Axe()
	ps, err := s.Catalog().AllProducts(context.Background(), s.Tenant.ID)
	if err != nil || len(ps) != 1 || ps[0].Variants[0].Price != 2499 {
		t.Fatalf("saved %+v %v", ps, err)
	}
	for _, path := range []string{"/admin/catalog/categories", "/admin/catalog/pages/new", "/admin/catalog/menu"} {
		var title string
		b.Run(chromedp.Navigate(s.URL+path), chromedp.WaitVisible("h1", chromedp.ByQuery), chromedp.Title(&title))
		if !strings.Contains(title, "Test Pharmacy") {
			t.Fatalf("%s: title %q", path, title)
		}
		b.Axe()
	}
}
