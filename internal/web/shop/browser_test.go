package shop_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestShoppingJourneyInABrowser: a visitor searches, adds a product to the
// cart, signs in when checking out, pays with the test gateway and sees the
// order. The cart, checkout and order pages pass axe; nothing loads from
// another origin.
func TestShoppingJourneyInABrowser(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	p := &catalog.Product{Name: "Digital Thermometer", Summary: "Reads in ten seconds.",
		Variants: []catalog.Variant{{SKU: "THERM-1", Price: 1999, Stock: 4}}}
	if err := s.Catalog().SaveProduct(context.Background(), s.Tenant.ID, p); err != nil {
		t.Fatal(err)
	}
	patient := s.NewPerson(t, access.RolePatient)
	b := testkit.NewBrowser(t, s.URL)
	b.Run(
		chromedp.Navigate(s.URL+"/"),
		chromedp.WaitVisible("#site-q", chromedp.ByQuery),
		chromedp.SendKeys("#site-q", "thermo", chromedp.ByQuery),
		chromedp.Submit("#site-q", chromedp.ByQuery),
		chromedp.WaitVisible(`//a[contains(., "Digital Thermometer")]`),
		chromedp.Click(`//a[contains(., "Digital Thermometer")]`),
		chromedp.WaitVisible(`.add-to-cart button`, chromedp.ByQuery),
		chromedp.Click(`.add-to-cart button`, chromedp.ByQuery),
		chromedp.WaitVisible(`table.cart`, chromedp.ByQuery),
	)
	b.Axe()
	b.Run(
		chromedp.Click(`//a[contains(., "Check out")]`),
		chromedp.WaitVisible("#f-email", chromedp.ByQuery),
		chromedp.SendKeys("#f-email", patient.Email, chromedp.ByQuery),
		chromedp.SendKeys("#f-password", patient.Password, chromedp.ByQuery),
		chromedp.Click(`main form[action="/login"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible("#f-line1", chromedp.ByQuery),
	)
	b.Axe()
	b.Run(
		chromedp.SendKeys("#f-name", "Pat Doe", chromedp.ByQuery),
		chromedp.SendKeys("#f-line1", "1 Main St", chromedp.ByQuery),
		chromedp.SendKeys("#f-city", "Austin", chromedp.ByQuery),
		chromedp.SetValue("#f-region", "TX", chromedp.ByQuery),
		chromedp.SendKeys("#f-postal_code", "73301", chromedp.ByQuery),
		chromedp.Click(`main form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible("#order-total", chromedp.ByQuery),
	)
	b.Axe()
	var total string
	b.Run(chromedp.Text("#order-total", &total, chromedp.ByQuery))
	// 19.99 + standard 4.99 + TX 6.25% of 19.99 = 1.25 → 26.23.
	if strings.TrimSpace(total) != "$26.23" {
		t.Fatalf("total %q", total)
	}
	b.Run(
		chromedp.Click(`main form[action="/checkout/pay"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible("#order-status", chromedp.ByQuery),
	)
	b.Axe()
	var status string
	b.Run(chromedp.Text("#order-status", &status, chromedp.ByQuery))
	if status != "Paid" {
		t.Fatalf("status %q", status)
	}
	var list string
	b.Run(chromedp.Navigate(s.URL+"/account/orders"), chromedp.WaitVisible(".order-list", chromedp.ByQuery),
		chromedp.Text(".order-list", &list, chromedp.ByQuery))
	b.Axe()
	if !strings.Contains(list, "Paid") || s.Services().TestGateway.Charges() != 1 {
		t.Fatalf("orders page: %q", list)
	}
	b.Check()
}
