package login_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestPasskeyInABrowser adds a passkey with Chromium's virtual authenticator
// (CTAP2, resident keys, user verification), signs out, and signs in with the
// passkey alone. WebAuthn needs a host name, so the browser uses localhost.
// The cart put in while signed in leaves the browser at sign-out and comes
// back, from the saved cart, with the passkey sign-in.
func TestPasskeyInABrowser(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	origin := strings.Replace(s.URL, "127.0.0.1", "localhost", 1)
	patient := s.NewPerson(t, access.RolePatient)
	p := &catalog.Product{Name: "Pulse Oximeter", Variants: []catalog.Variant{{SKU: "OXI-1", Price: 2500, Stock: 4}}}
	if err := s.Catalog().SaveProduct(context.Background(), s.Tenant.ID, p); err != nil {
		t.Fatal(err)
	}
	b := testkit.NewBrowser(t, origin)
	b.Run(
		webauthn.Enable(),
		chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := webauthn.AddVirtualAuthenticator(&webauthn.VirtualAuthenticatorOptions{
				Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
				Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
				IsUserVerified: true, AutomaticPresenceSimulation: true,
			}).Do(cdp.WithExecutor(ctx, chromedp.FromContext(ctx).Target))
			return err
		}),
		chromedp.Navigate(origin+"/login"),
		chromedp.WaitVisible("#f-email", chromedp.ByQuery),
		chromedp.SendKeys("#f-email", patient.Email, chromedp.ByQuery),
		chromedp.SendKeys("#f-password", patient.Password, chromedp.ByQuery),
		chromedp.Click(`main form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//h1[contains(., "Welcome")]`),
		chromedp.Navigate(origin+"/account/security"),
		chromedp.WaitVisible(`[data-passkey=register]`, chromedp.ByQuery),
	)
	b.Axe()
	var list string
	b.Run(
		chromedp.Evaluate(`document.querySelector("#passkey-name").value = "Laptop"`, nil),
		chromedp.Click(`[data-passkey=register]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//li[contains(., "Laptop")]`),
		chromedp.Text("main", &list, chromedp.ByQuery),
	)
	if !strings.Contains(list, "Laptop") {
		t.Fatalf("security page after adding: %q", list)
	}
	// Something in the cart, then sign out: the cart leaves the browser.
	var cartText string
	b.Run(
		chromedp.Navigate(origin+"/products/"+p.Slug),
		chromedp.WaitVisible(`.add-to-cart button`, chromedp.ByQuery),
		chromedp.Click(`.add-to-cart button`, chromedp.ByQuery),
		chromedp.WaitVisible(`table.cart`, chromedp.ByQuery),
		chromedp.Click(`.account-links form button`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-passkey=login]`, chromedp.ByQuery),
		chromedp.Navigate(origin+"/cart"),
		chromedp.WaitVisible("main", chromedp.ByQuery),
		chromedp.Text("main", &cartText, chromedp.ByQuery),
	)
	if strings.Contains(cartText, "Pulse Oximeter") {
		t.Fatalf("the cart stayed in the browser after sign-out: %q", cartText)
	}
	// Sign in with the passkey alone: the saved cart comes back.
	b.Run(
		chromedp.Navigate(origin+"/login"),
		chromedp.WaitVisible(`[data-passkey=login]`, chromedp.ByQuery),
	)
	b.Axe()
	b.Run(
		chromedp.Click(`[data-passkey=login]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//h1[contains(., "Welcome")]`),
		chromedp.Navigate(origin+"/account/profile"),
		chromedp.WaitVisible("#f-name", chromedp.ByQuery),
		chromedp.Navigate(origin+"/cart"),
		chromedp.WaitVisible(`table.cart`, chromedp.ByQuery),
		chromedp.Text("main", &cartText, chromedp.ByQuery),
	)
	if !strings.Contains(cartText, "Pulse Oximeter") {
		t.Fatalf("the saved cart did not come back with the passkey sign-in: %q", cartText)
	}
	recs, err := s.AuditLog().Find(context.Background(), auditQuery(s.Tenant.ID, patient.ID))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range recs {
		if r.Action == "user.login" && r.Detail == "passkey" {
			found = true
		}
	}
	if !found {
		t.Fatal("the passkey sign-in was not audited")
	}
}
