package server_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/web"
)

// TestBillingInABrowser (issue 16): the demo patient, with the demo's
// orders, sees the balance due on the dashboard, opens Billing from the
// menu, an order's receipt, its HSA/FSA receipt, and downloads the HSA/FSA
// PDF, which lists the eligible items and not the others; every page passes
// axe-core and nothing is fetched from another origin.
func TestBillingInABrowser(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	ctx := context.Background()
	if _, err := demo.SeedCatalog(ctx, s.Catalog(), s.Tenant.ID); err != nil {
		t.Fatal(err)
	}
	patient := s.NewPerson(t, access.RolePatient)
	ids, err := demo.SeedOrdersFor(ctx, s.Catalog(), s.Services().Orders, s.Tenant.ID, patient.ID, s.NewPerson(t, access.RoleFulfillment).ID)
	if err != nil {
		t.Fatal(err)
	}
	b := testkit.NewBrowser(t, s.URL)
	origin, _ := url.Parse(s.URL)
	dir := t.TempDir()
	b.Run(network.SetCookie(web.CookiePlain, patient.Token).WithDomain(origin.Hostname()).WithPath("/").WithHTTPOnly(true),
		browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(dir))
	text := func(sel string) string {
		t.Helper()
		var s string
		b.Run(chromedp.Text(sel, &s, chromedp.ByQuery))
		return s
	}

	b.Run(chromedp.Navigate(s.URL+"/account"), chromedp.WaitVisible("#widget-billing", chromedp.ByQuery))
	if w := text("#widget-billing"); !strings.Contains(w, "due") || !strings.Contains(w, "pay by invoice") {
		t.Errorf("billing widget: %q", w)
	}
	if w := text("#widget-profile"); !strings.Contains(w, "Add your date of birth") || !strings.Contains(w, "%") {
		t.Errorf("profile widget: %q", w)
	}
	b.Axe()
	b.Run(chromedp.Click(`a[href="/account/billing"]`, chromedp.ByQuery), chromedp.WaitVisible("#billing-history", chromedp.ByQuery))
	b.Axe()
	if due := text("#balance-due"); due != "$19.53" {
		// Vitamin C 500 mg 2 × $6.99 = $13.98, NY tax 4% $0.56, shipping $4.99 (under $50): $19.53.
		t.Errorf("balance due %q", due)
	}
	if h := text("#open-invoices"); !strings.Contains(h, "Pay by invoice") {
		t.Errorf("open invoices: %q", h)
	}

	b.Run(chromedp.Navigate(s.URL+"/account/orders/"+ids[0]+"/receipt"), chromedp.WaitVisible("#merchant", chromedp.ByQuery))
	b.Axe()
	var page string
	b.Run(chromedp.Text("main", &page, chromedp.ByQuery))
	for _, want := range []string{"Receipt for order", "GlucoSure Test Strips", "Melatonin 3 mg", "Test card", "Demo Patient", "Total"} {
		if !strings.Contains(page, want) {
			t.Errorf("receipt lacks %q", want)
		}
	}
	b.Run(chromedp.Click(`a[href$="/hsa-receipt"]`, chromedp.ByQuery), chromedp.WaitVisible("#hsa-items", chromedp.ByQuery))
	b.Axe()
	if items := text("#hsa-items"); !strings.Contains(items, "GlucoSure Test Strips") || strings.Contains(items, "Melatonin") {
		t.Errorf("HSA/FSA items: %q", items)
	}
	b.Run(chromedp.Click("#hsa-pdf", chromedp.ByQuery))
	var pdf []byte
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline) && pdf == nil; time.Sleep(100 * time.Millisecond) {
		files, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
		if len(files) == 1 {
			pdf, _ = os.ReadFile(files[0])
		}
	}
	if !strings.HasPrefix(string(pdf), "%PDF-") || !strings.Contains(string(pdf), "GlucoSure Test Strips") || strings.Contains(string(pdf), "Melatonin") {
		t.Fatalf("downloaded PDF (%d bytes) is not the HSA/FSA receipt of the eligible items", len(pdf))
	}
}
