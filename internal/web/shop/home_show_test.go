package shop_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestHomeInABrowser opens the home page in Chromium: it must meet WCAG 2 AA
// (axe-core), be usable from the keyboard (the skip link comes first, is
// visible when focused, and moves focus to the main content), load nothing from
// another origin, and raise no CSP violation or script error.
func TestHomeInABrowser(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	b := testkit.NewBrowser(t, s.URL)
	var title string
	b.Run(
		chromedp.Navigate(s.URL+"/"),
		chromedp.WaitVisible("h1", chromedp.ByQuery),
		chromedp.Title(&title),
	)
	if title != "Test Pharmacy" {
		t.Fatalf("title = %q", title)
	}
	// htmx loaded from our origin and runs under the CSP.
	var htmxVersion string
	b.Run(chromedp.Poll(`window.htmx && htmx.version`, &htmxVersion))
	if !strings.HasPrefix(htmxVersion, "2.0.") {
		t.Fatalf("htmx version %q", htmxVersion)
	}
	b.Axe()

	b.PressTab()
	if got := b.ActiveElement(); !strings.Contains(got, "skip-link") {
		t.Fatalf("first Tab focuses %q, want the skip link", got)
	}
	var top float64
	var outline string
	b.Run(
		chromedp.Evaluate(`document.activeElement.getBoundingClientRect().top`, &top),
		chromedp.Evaluate(`getComputedStyle(document.activeElement).outlineStyle`, &outline),
	)
	if top < 0 || outline == "none" {
		t.Fatalf("the focused skip link must be visible with a focus ring: top %v outline %q", top, outline)
	}
	b.Run(chromedp.KeyEvent("\r"))
	if got := b.ActiveElement(); !strings.HasPrefix(got, "main#main") {
		t.Fatalf("the skip link moved focus to %q, want main", got)
	}
	b.PressTab()
	if got := b.ActiveElement(); !strings.HasPrefix(got, "a#") {
		t.Fatalf("Tab after the skip link focuses %q, want a link", got)
	}
}
