package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestRecordCopyInABrowser: the patient signs in, asks for a copy of their
// record with scripts switched off, watches the page update by itself (the
// Refresh header, no JavaScript) until the copy is ready to download, and
// reads in their access log that it was asked for and prepared. Every page
// passes axe-core; no request leaves the origin.
func TestRecordCopyInABrowser(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	h := seedRecord(t, s)
	b := testkit.NewBrowser(t, s.URL)
	b.Run(chromedp.Navigate(s.URL+"/login"), chromedp.WaitVisible("#f-email", chromedp.ByQuery),
		chromedp.SendKeys("#f-email", h.patient.Email, chromedp.ByQuery), chromedp.SendKeys("#f-password", h.patient.Password, chromedp.ByQuery),
		chromedp.Click(`main button[type=submit]`, chromedp.ByQuery), chromedp.WaitNotPresent("#f-password", chromedp.ByQuery))
	b.Run(chromedp.Navigate(s.URL+"/account/profile"), chromedp.WaitVisible(`#your-record a[href="/account/records"]`, chromedp.ByQuery),
		chromedp.Click(`#your-record a[href="/account/records"]`, chromedp.ByQuery), chromedp.WaitVisible(".empty", chromedp.ByQuery))
	b.Axe()

	// Without scripts: the form posts, the page shows the progress and then
	// reloads itself until the copy is ready.
	b.Run(emulation.SetScriptExecutionDisabled(true))
	b.Run(chromedp.Click(`form[action="/account/records"] button`, chromedp.ByQuery), chromedp.WaitVisible("progress", chromedp.ByQuery))
	if n, err := s.Services().Records.BuildPending(context.Background(), 10); err != nil || n != 1 {
		t.Fatalf("build: %d %v", n, err)
	}
	b.Run(chromedp.WaitVisible(`a[href$="/download"]`, chromedp.ByQuery))
	b.Run(emulation.SetScriptExecutionDisabled(false))
	b.Axe()
	var text string
	b.Run(chromedp.Text("#exports", &text, chromedp.ByQuery))
	if !strings.Contains(text, "Ready to download") || !strings.Contains(text, "Ready until") {
		t.Errorf("the ready copy reads %q", text)
	}

	b.Run(chromedp.Click(`a[href^="/account/access-log"]`, chromedp.ByQuery), chromedp.WaitVisible("#access-log", chromedp.ByQuery))
	b.Axe()
	b.Run(chromedp.Text("#access-log", &text, chromedp.ByQuery))
	for _, want := range []string{"Asked for a copy of your record", "Prepared a copy of your record", "Viewed access history"} {
		if !strings.Contains(text, want) {
			t.Errorf("the access log lacks %q", want)
		}
	}
}
