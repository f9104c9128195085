package server_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/web"
)

// TestInvoicePayInABrowser (issue 16, invoices paid later online): with
// Stripe configured, the demo patient's open invoice offers "Pay now" next
// to quoting the reference on Billing, the order and the invoice, and the
// invoice says it waits for the provider's word on the way back; every page
// passes axe-core at phone and desktop width.
func TestInvoicePayInABrowser(t *testing.T) {
	mock := testkit.StripeMock(t)
	s := testkit.StartServer(t, store.SQLite, func(c *config.Config) {
		c.PaymentGateways = []string{"test", "invoice", "stripe"}
		c.StripeSecretKey, c.StripeWebhookSecret, c.StripeAPIURL = "sk_test_123", "whsec_salve_test", mock
	})
	ctx := context.Background()
	if _, err := demo.SeedCatalog(ctx, s.Catalog(), s.Tenant.ID); err != nil {
		t.Fatal(err)
	}
	patient := s.NewPerson(t, access.RolePatient)
	ids, err := demo.SeedOrdersFor(ctx, s.Catalog(), s.Services().Orders, s.Tenant.ID, patient.ID, s.NewPerson(t, access.RoleFulfillment).ID)
	if err != nil {
		t.Fatal(err)
	}
	invoice := ids[len(ids)-1]
	b := testkit.NewBrowser(t, s.URL)
	origin, _ := url.Parse(s.URL)
	b.Run(network.SetCookie(web.CookiePlain, patient.Token).WithDomain(origin.Hostname()).WithPath("/").WithHTTPOnly(true))
	pay := `a[href="/account/orders/` + invoice + `/pay"]`
	for _, width := range []int64{360, 1280} {
		b.Run(chromedp.EmulateViewport(width, 800))
		for _, path := range []string{"/account/billing", "/account/orders/" + invoice, "/account/orders/" + invoice + "/receipt"} {
			var text string
			b.Run(chromedp.Navigate(s.URL+path), chromedp.WaitVisible(pay, chromedp.ByQuery), chromedp.Text("main", &text, chromedp.ByQuery))
			if !strings.Contains(strings.ToLower(text), "quote the reference") {
				t.Errorf("%s at %d: no way to pay by transfer: %q", path, width, text)
			}
			b.AxeAt(fmt.Sprintf("%s at %dpx", path, width))
		}
		b.Run(chromedp.Navigate(s.URL+"/account/orders/"+invoice+"/receipt?paid=1"), chromedp.WaitVisible("#payment-confirming", chromedp.ByQuery))
		b.AxeAt(fmt.Sprintf("invoice back from paying at %dpx", width))
	}
}
