package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/vendors"
	"github.com/salvehealth/salve/internal/web"
	"github.com/salvehealth/salve/internal/webhooks"
)

// TestComplianceWalksVendorsAndWebhooks: the compliance officer, in a real
// browser, adds a vendor (first with a BAA that ends before it starts: the
// field says so), binds the mail relay to it, adds a webhook to a loopback
// receiver, copies its secret (each a request an admin approves as the
// second person), sends a test and sees its 200 in the log;
// axe-core finds nothing at each step, errors included.
func TestComplianceWalksVendorsAndWebhooks(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite, func(c *config.Config) { c.WebhookLoopbackHTTP = true })
	recv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer recv.Close()
	officer := s.NewPerson(t, access.RoleCompliance)
	b := testkit.NewBrowser(t, s.URL)
	origin, _ := url.Parse(s.URL)
	b.Run(network.SetCookie(web.CookiePlain, officer.Token).WithDomain(origin.Hostname()).WithPath("/").WithHTTPOnly(true))

	b.Run(chromedp.Navigate(s.URL+"/admin/compliance/vendors"), chromedp.WaitVisible("#f-name", chromedp.ByQuery))
	b.AxeAt("vendors, none yet")
	b.Run(chromedp.SendKeys("#f-name", "Relay Mail Inc", chromedp.ByQuery), chromedp.SendKeys("#f-service", "email relay", chromedp.ByQuery),
		chromedp.SendKeys("#f-contact", "legal@relay.test", chromedp.ByQuery),
		chromedp.SetValue("#f-signed_on", "2026-02-01", chromedp.ByQuery), chromedp.SetValue("#f-expires_on", "2026-01-01", chromedp.ByQuery),
		chromedp.Submit("#f-name", chromedp.ByQuery), chromedp.WaitVisible("#f-expires_on-error", chromedp.ByQuery))
	b.AxeAt("vendor form with an error")
	b.Run(chromedp.SetValue("#f-expires_on", "2027-12-31", chromedp.ByQuery), chromedp.Submit("#f-name", chromedp.ByQuery),
		chromedp.WaitVisible(`//td[contains(., "Relay Mail Inc")]`))
	list, err := s.Services().Vendors.Vendors(access.WithActor(context.Background(), access.System("test", s.Tenant.ID)), s.Tenant.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("vendors: %v", err)
	}
	b.Run(chromedp.SetValue("#bind-smtp", list[0].ID, chromedp.ByQuery), chromedp.SendKeys("#bind-reason-smtp", "the relay's BAA is signed", chromedp.ByQuery),
		chromedp.Submit("#bind-smtp", chromedp.ByQuery),
		chromedp.WaitVisible(`//div[@role="status"][contains(., "when a second person approves it")]`))
	b.AxeAt("vendors, binding the relay requested")
	// A second person (an admin) approves it under Changes.
	admin := s.NewPerson(t, access.RoleAdmin)
	ac := s.ClientAs(t, admin)
	approvePending(t, s, ac, vendors.KindBinding, "smtp")
	b.Run(chromedp.Navigate(s.URL+"/admin/compliance/vendors"), chromedp.WaitVisible(`//td[@data-label="Sends"]`))

	b.Run(chromedp.Navigate(s.URL+"/admin/compliance/webhooks"), chromedp.WaitVisible("#f-url", chromedp.ByQuery))
	b.AxeAt("webhooks, none yet")
	var secret string
	b.Run(chromedp.SendKeys("#f-url", recv.URL+"/hook", chromedp.ByQuery), chromedp.Click(`input[value="order.paid"]`, chromedp.ByQuery),
		chromedp.SetValue("#f-vendor", list[0].ID, chromedp.ByQuery), chromedp.SendKeys("#f-reason", "order events for the warehouse", chromedp.ByQuery),
		chromedp.Submit("#f-url", chromedp.ByQuery),
		chromedp.WaitVisible(`p.secret`, chromedp.ByQuery), chromedp.Text(`p.secret`, &secret, chromedp.ByQuery))
	if len(secret) < 20 {
		t.Fatalf("secret shown: %q", secret)
	}
	b.AxeAt("webhook added, its secret shown once")
	subs, err := store.NewWebhooks(s.Stores.PHI).Subscriptions(context.Background(), s.Tenant.ID)
	if err != nil || len(subs) != 1 {
		t.Fatalf("webhooks: %v", err)
	}
	approvePending(t, s, ac, webhooks.KindSubscription, subs[0].ID)
	b.Run(chromedp.Navigate(s.URL+"/admin/compliance/webhooks"), chromedp.WaitVisible(`form[action$="/test"] button`, chromedp.ByQuery))
	b.Run(chromedp.Click(`form[action$="/test"] button`, chromedp.ByQuery), chromedp.WaitVisible(`//div[@role="status"][contains(., "test event was queued")]`))
	if n, err := s.Services().Webhooks.Deliver(context.Background(), 10); err != nil || n != 1 {
		t.Fatalf("deliver: %d %v", n, err)
	}
	b.Run(chromedp.Navigate(s.URL+"/admin/compliance/webhooks"), chromedp.WaitVisible(`//td[contains(., "delivered")]`))
	b.AxeAt("webhooks with a delivery log")
}
