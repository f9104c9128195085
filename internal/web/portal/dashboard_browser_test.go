package portal_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/access"
	dash "github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/web"
)

// dragTo drags one widget onto the top half of another with the events a
// browser fires for HTML5 drag and drop (headless Chromium does not turn
// mouse moves into them), so js/dashboard.js runs as for a person.
const dragTo = `(function (from, to) {
  const a = document.querySelector('[data-widget="' + from + '"]');
  const b = document.querySelector('[data-widget="' + to + '"]');
  const dt = new DataTransfer();
  const box = b.getBoundingClientRect();
  a.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer: dt}));
  b.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: dt, clientY: box.top + 2}));
  b.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: dt}));
  a.dispatchEvent(new DragEvent("dragend", {bubbles: true, dataTransfer: dt}));
  return true;
})`

// TestDashboardInABrowser: the patient drags a widget to the top (htmx posts
// the new order), uses the buttons that work without JavaScript, and finds
// the dashboard as they left it in a new session; every state passes axe and
// nothing is fetched from another origin.
func TestDashboardInABrowser(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	patient := s.NewPerson(t, access.RolePatient)
	b := testkit.NewBrowser(t, s.URL)
	origin, _ := url.Parse(s.URL)
	b.Run(network.SetCookie(web.CookiePlain, patient.Token).WithDomain(origin.Hostname()).WithPath("/").WithHTTPOnly(true))
	order := func() []string {
		t.Helper()
		var keys []string
		b.Run(chromedp.Evaluate(`[...document.querySelectorAll("[data-widget]")].map(e => e.dataset.widget)`, &keys))
		return keys
	}
	b.Run(chromedp.Navigate(s.URL+"/account"), chromedp.WaitVisible("[data-dashboard]", chromedp.ByQuery))
	b.Axe()
	if got := order(); !slices.Equal(got, dash.Keys()) {
		t.Fatalf("first view: %v", got)
	}
	var ok bool
	b.Run(chromedp.Evaluate(dragTo+`("offer", "open_orders")`, &ok))
	if got := order(); got[0] != "offer" {
		t.Fatalf("the page did not move the dragged widget: %v", got)
	}
	// The order was saved (the post is asynchronous: wait for it).
	want := order()
	var saved []string
	for range 50 {
		_, page := testkit.Do(t, s.ClientAs(t, patient), s.NewRequest(t, "GET", "/account", nil))
		if saved = widgetOrder(page); slices.Equal(saved, want) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !slices.Equal(saved, want) {
		t.Fatalf("after the drag the server has %v, the page showed %v", saved, want)
	}
	// Without script: the buttons are plain forms.
	b.Run(chromedp.Navigate(s.URL+"/account"), chromedp.WaitVisible("[data-dashboard]", chromedp.ByQuery),
		chromedp.Click(`form[action="/account/dashboard/offer/hide"] button`, chromedp.ByQuery),
		chromedp.WaitVisible("#hidden-widgets", chromedp.ByQuery))
	b.Axe()
	b.Run(chromedp.Click(`form[action="/account/dashboard/lab_results/move"] input[value="up"] ~ button`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-widget="lab_results"]:nth-child(3)`, chromedp.ByQuery))
	want = []string{"open_orders", "past_orders", "lab_results", "appointments", "prescriptions", "billing", "messages", "devices", "lists", "profile"}
	if got := order(); !slices.Equal(got, want) {
		t.Fatalf("after hide and move up: %v", got)
	}
	// Signed out, then signed in again (a new session): the same dashboard.
	b.Run(chromedp.Click(`.account-links form button`, chromedp.ByQuery), chromedp.WaitVisible(`//h1[contains(., "Sign in")]`))
	tok, _, err := s.Services().SignIn.Login(context.Background(), s.Tenant, signin.Attempt{Email: patient.Email, Password: patient.Password,
		ClientIP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	b.Run(network.ClearBrowserCookies(), network.SetCookie(web.CookiePlain, tok).WithDomain(origin.Hostname()).WithPath("/").WithHTTPOnly(true),
		chromedp.Navigate(s.URL+"/account"), chromedp.WaitVisible("[data-dashboard]", chromedp.ByQuery))
	if got := order(); !slices.Equal(got, want) {
		t.Fatalf("after signing in again: %v", got)
	}
	var hidden string
	b.Run(chromedp.Text("#hidden-widgets", &hidden, chromedp.ByQuery))
	if !strings.Contains(hidden, "An offer for you") {
		t.Fatalf("hidden widgets: %q", hidden)
	}
	b.Check()
}
