package shop_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestSearchAndOpenAProductInABrowser: a visitor searches from the catalog
// page, opens a product from the results, and sees it with its image. Every
// page passes axe (WCAG 2 AA), and nothing is loaded from another origin.
func TestSearchAndOpenAProductInABrowser(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	ctx := context.Background()
	svc := s.Catalog()
	cat := &catalog.Category{TenantID: s.Tenant.ID, Name: "Diabetes care"}
	if err := svc.SaveCategory(ctx, cat); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"GlucoSure Test Strips", "GlucoSure Glucose Meter", "Vitamin D3 1000 IU"} {
		p := &catalog.Product{Name: name, CategoryID: cat.ID, Summary: "For daily use.", Description: "**Accurate** results.",
			Tags: []string{"glucose"}, HSAFSAEligible: true,
			Variants: []catalog.Variant{{SKU: "B-" + string(rune('A'+i)), Name: "50 count", Price: 2699, Stock: 10}}}
		if err := svc.SaveProduct(ctx, s.Tenant.ID, p); err != nil {
			t.Fatal(err)
		}
		up, err := catalog.ProcessImage(demo.ProductImage(name, "diabetes-care"))
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.AddImage(ctx, s.Tenant.ID, p.ID, name, up); err != nil {
			t.Fatal(err)
		}
	}
	b := testkit.NewBrowser(t, s.URL)
	var count, h1 string
	b.Run(
		chromedp.Navigate(s.URL+"/products"),
		chromedp.WaitVisible("#result-count", chromedp.ByQuery),
	)
	b.Axe()
	b.Run(
		chromedp.SetValue("#q", "gluco str", chromedp.ByQuery),
		chromedp.Submit("#q", chromedp.ByQuery),
		chromedp.WaitVisible(`.product-card a`, chromedp.ByQuery),
		chromedp.Text("#result-count", &count, chromedp.ByQuery),
	)
	if !strings.Contains(count, "1 product") {
		t.Fatalf("search result count %q", count)
	}
	b.Axe()
	b.Run(
		chromedp.Click(`.product-card a`, chromedp.ByQuery),
		chromedp.WaitVisible(".product-info h1", chromedp.ByQuery),
		chromedp.Text(".product-info h1", &h1, chromedp.ByQuery),
	)
	if h1 != "GlucoSure Test Strips" {
		t.Fatalf("opened %q", h1)
	}
	var loaded bool
	b.Run(chromedp.Evaluate(`(() => { const i = document.querySelector('.product-media img'); return !!i && i.complete && i.naturalWidth > 0 })()`, &loaded))
	if !loaded {
		t.Fatal("the product image did not load")
	}
	b.Axe()
}
