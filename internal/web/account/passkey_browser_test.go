package account_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestPasskeyInABrowser adds a passkey with Chromium's virtual authenticator
// (CTAP2, resident keys, user verification), signs out, and signs in with the
// passkey alone. WebAuthn needs a host name, so the browser uses localhost.
func TestPasskeyInABrowser(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	origin := strings.Replace(s.URL, "127.0.0.1", "localhost", 1)
	patient := s.NewPerson(t, access.RolePatient)
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
	// Sign out; sign in with the passkey alone.
	b.Run(
		chromedp.Click(`.account-links form button`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-passkey=login]`, chromedp.ByQuery),
	)
	b.Axe()
	b.Run(
		chromedp.Click(`[data-passkey=login]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//h1[contains(., "Welcome")]`),
		chromedp.Navigate(origin+"/account"),
		chromedp.WaitVisible("#f-name", chromedp.ByQuery),
	)
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
