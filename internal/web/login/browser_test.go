package login_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestAccountJourneyInABrowser: a visitor registers, opens the emailed link,
// signs in, sets up an authenticator, signs out, signs in again with a code
// and edits the profile. Every page passes axe (WCAG 2 AA), nothing loads from
// another origin, and no CSP violation or script error occurs.
func TestAccountJourneyInABrowser(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	b := testkit.NewBrowser(t, s.URL)
	const email, password = "jo@example.com", "a walk in the park at noon"
	var text string
	b.Run(chromedp.Navigate(s.URL+"/register"), chromedp.WaitVisible("#f-email", chromedp.ByQuery))
	b.Axe()
	b.Run(
		chromedp.SendKeys("#f-email", email, chromedp.ByQuery),
		chromedp.SendKeys("#f-name", "Jo Example", chromedp.ByQuery),
		chromedp.SendKeys("#f-password", "too short", chromedp.ByQuery),
		chromedp.Click(`main button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible("#f-password-error", chromedp.ByQuery),
	)
	b.Axe() // the error state too
	b.Run(
		chromedp.SendKeys("#f-password", password, chromedp.ByQuery),
		chromedp.Click(`main button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//h1[contains(., "Check your email")]`),
	)
	b.Run(chromedp.Navigate(s.URL+"/verify?token="+s.LastLink(t, email)), chromedp.WaitVisible("main button", chromedp.ByQuery))
	b.Axe()
	b.Run(chromedp.Click(`main button[type=submit]`, chromedp.ByQuery), chromedp.WaitVisible("#f-email", chromedp.ByQuery))
	b.Run(chromedp.Text(".notice", &text, chromedp.ByQuery))
	if !strings.Contains(text, "confirmed") {
		t.Fatalf("after verifying: %q", text)
	}
	b.Axe()
	signIn := func() {
		b.Run(
			chromedp.Navigate(s.URL+"/login"),
			chromedp.WaitVisible("#f-email", chromedp.ByQuery),
			chromedp.SendKeys("#f-email", email, chromedp.ByQuery),
			chromedp.SendKeys("#f-password", password, chromedp.ByQuery),
			chromedp.Click(`main button[type=submit]`, chromedp.ByQuery),
		)
	}
	signIn()
	b.Run(chromedp.WaitVisible(`//h1[contains(., "Welcome")]`))
	// Set up an authenticator from the security page.
	b.Run(chromedp.Navigate(s.URL+"/account/mfa"), chromedp.WaitVisible("main form button", chromedp.ByQuery),
		chromedp.Click("main form button", chromedp.ByQuery), chromedp.WaitVisible("#totp-secret", chromedp.ByQuery))
	b.Axe()
	var secret string
	b.Run(chromedp.Text("#totp-secret", &secret, chromedp.ByQuery))
	code, _ := auth.TOTPCode(strings.TrimSpace(secret), s.Clock.Now())
	b.Run(
		chromedp.SendKeys("#f-code", code, chromedp.ByQuery),
		chromedp.Click(`main form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(".codes", chromedp.ByQuery),
	)
	b.Axe()
	// Sign out, then in again: now the code is asked for.
	b.Run(chromedp.Click(`.account-links form button`, chromedp.ByQuery), chromedp.WaitVisible(`//div[contains(., "signed out")]`))
	signIn()
	b.Run(chromedp.WaitVisible("#f-code", chromedp.ByQuery))
	b.Axe()
	s.Clock.Advance(30 * time.Second)
	code, _ = auth.TOTPCode(strings.TrimSpace(secret), s.Clock.Now())
	b.Run(
		chromedp.SendKeys("#f-code", code, chromedp.ByQuery),
		chromedp.Click(`main form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//h1[contains(., "Welcome")]`),
		chromedp.Navigate(s.URL+"/account/profile"),
		chromedp.WaitVisible("#f-name", chromedp.ByQuery),
	)
	b.Axe()
	b.Run(
		chromedp.Evaluate(`document.querySelector("#f-name").value = ""`, nil),
		chromedp.SendKeys("#f-name", "Jo Q. Example", chromedp.ByQuery),
		chromedp.Click(`main form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//div[contains(., "profile was saved")]`),
		chromedp.Navigate(s.URL+"/account/security"),
		chromedp.WaitVisible("table", chromedp.ByQuery),
	)
	b.Axe()
	b.Run(chromedp.Text("table", &text, chromedp.ByQuery))
	if !strings.Contains(text, "this browser") {
		t.Fatalf("sessions table: %q", text)
	}
}
