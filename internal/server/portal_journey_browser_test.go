package server_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// journeyDrag drags one dashboard widget onto the top half of another with
// the events a browser fires for HTML5 drag and drop (headless Chromium does
// not turn mouse moves into them), as TestDashboardInABrowser does.
const journeyDrag = `(function (from, to) {
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

// untilURL waits until the page's address contains part (a redirect after a
// form's post has landed).
func untilURL(part string) chromedp.ActionFunc {
	return func(ctx context.Context) error {
		for {
			var at string
			if err := chromedp.Location(&at).Do(ctx); err == nil && strings.Contains(at, part) {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

// TestPortalJourneyInABrowser is issue 15's journey, as real people in
// Chromium on a server seeded like `salve demo` (catalog, the clinician's
// hours, the patient's appointments and two years of lab results): the
// patient signs in through the sign-in page, rearranges the dashboard by
// drag and drop and with the buttons that work without script, signs out
// and back in to find it kept; opens a lab trend from the results list; books
// an appointment and moves it; orders a prescription-only product (it waits
// as awaiting_rx) and uploads a PNG prescription. A pharmacist signs in with
// password and authenticator code, verifies the upload for that product from
// the queue, and the patient's order page shows the order moved on. Every
// page passes axe-core; any request leaving the origin fails the test.
func TestPortalJourneyInABrowser(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	ctx := context.Background()
	cat := s.Catalog()
	if _, err := demo.SeedCatalog(ctx, cat, s.Tenant.ID); err != nil {
		t.Fatal(err)
	}
	products, err := cat.AllProducts(ctx, s.Tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	var rxSlug, rxVariant, rxName string
	for _, h := range products {
		p, err := cat.ProductByID(ctx, s.Tenant.ID, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.RequiresPrescription && len(p.Variants) > 0 && p.Variants[0].Stock > 0 {
			rxSlug, rxVariant, rxName = p.Slug, p.Variants[0].ID, p.Name
			break
		}
	}
	if rxSlug == "" {
		t.Fatal("the demo catalog has no prescription-only product in stock")
	}
	mgr, doc := s.NewPerson(t, access.RoleStoreManager), s.NewPerson(t, access.RoleClinician)
	patient := s.NewPerson(t, access.RolePatient)
	pharmacist := s.NewPerson(t, access.RolePharmacist)
	if _, err := demo.SeedAppointmentsFor(ctx, s.Services().Appointments, s.Clock, s.Tenant.ID, mgr.ID, doc.ID, patient.ID); err != nil {
		t.Fatal(err)
	}
	giveCare(t, s, s.Tenant, doc.ID, patient.ID)
	dctx := access.WithActor(ctx, access.Actor{ID: doc.ID, Role: access.RoleClinician, TenantID: s.Tenant.ID})
	if _, err := s.Services().Labs.EnterAll(dctx, s.Tenant.ID, demo.LabHistory(patient.ID, doc.ID, s.Clock.Now())); err != nil {
		t.Fatal(err)
	}

	b := testkit.NewBrowser(t, s.URL)
	var text string
	signIn := func(email, password string) {
		t.Helper()
		b.Run(chromedp.Navigate(s.URL+"/login"), chromedp.WaitVisible("#f-email", chromedp.ByQuery))
		b.Axe()
		b.Run(chromedp.SendKeys("#f-email", email, chromedp.ByQuery), chromedp.SendKeys("#f-password", password, chromedp.ByQuery),
			chromedp.Click(`main button[type=submit]`, chromedp.ByQuery), chromedp.WaitNotPresent("#f-password", chromedp.ByQuery))
	}
	signOut := func() {
		t.Helper()
		b.Run(chromedp.Click(`.account-links form button`, chromedp.ByQuery), chromedp.WaitVisible(`//h1[contains(., "Sign in")]`))
	}
	order := func() []string {
		t.Helper()
		var keys []string
		b.Run(chromedp.Evaluate(`[...document.querySelectorAll("[data-widget]")].map(e => e.dataset.widget)`, &keys))
		return keys
	}

	// 1. The dashboard, arranged by drag and drop and by a button, kept
	// across a sign-out.
	signIn(patient.Email, patient.Password)
	b.Run(chromedp.Navigate(s.URL+"/account"), chromedp.WaitVisible("[data-dashboard]", chromedp.ByQuery))
	b.Axe()
	first := order()
	if len(first) < 3 {
		t.Fatalf("dashboard widgets: %v", first)
	}
	last := first[len(first)-1]
	var ok bool
	b.Run(chromedp.Evaluate(journeyDrag+`("`+last+`", "`+first[0]+`")`, &ok))
	want := append([]string{last}, first[:len(first)-1]...)
	if got := order(); !slices.Equal(got, want) {
		t.Fatalf("the drag did not move %s to the top: %v", last, got)
	}
	// The drag's post is asynchronous: wait until the server has it.
	var saved []string
	for range 50 {
		b.Run(chromedp.Navigate(s.URL+"/account"), chromedp.WaitVisible("[data-dashboard]", chromedp.ByQuery))
		if saved = order(); slices.Equal(saved, want) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !slices.Equal(saved, want) {
		t.Fatalf("after the drag the server has %v, the page showed %v", saved, want)
	}
	// Without script: the third widget moves up one place.
	third := want[2]
	b.Run(chromedp.Click(`form[action="/account/dashboard/`+third+`/move"] input[value="up"] ~ button`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-widget="`+third+`"]:nth-child(2)`, chromedp.ByQuery))
	want[1], want[2] = want[2], want[1]
	if got := order(); !slices.Equal(got, want) {
		t.Fatalf("after moving %s up: %v, want %v", third, got, want)
	}
	b.Axe()
	signOut()
	signIn(patient.Email, patient.Password)
	b.Run(chromedp.Navigate(s.URL+"/account"), chromedp.WaitVisible("[data-dashboard]", chromedp.ByQuery))
	if got := order(); !slices.Equal(got, want) {
		t.Fatalf("after signing out and in again: %v, want %v", got, want)
	}

	// 2. A lab trend: the results list, a report, a test over time.
	b.Run(chromedp.Navigate(s.URL+"/account/results"), chromedp.WaitVisible(`main a[href^="/account/results/"]`, chromedp.ByQuery))
	b.Axe()
	b.Run(chromedp.Click(`main a[href^="/account/results/"]`, chromedp.ByQuery), chromedp.WaitVisible("table.lab-table", chromedp.ByQuery))
	b.Axe()
	b.Run(chromedp.Click(`main a[href*="/trend/"]`, chromedp.ByQuery), chromedp.WaitVisible("#trend-chart", chromedp.ByQuery))
	var drawn bool
	for range 50 {
		b.Run(chromedp.Evaluate(`typeof Chart !== "undefined" && !!Chart.getChart(document.getElementById("trend-chart"))`, &drawn))
		if drawn {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !drawn {
		t.Fatal("the trend chart was not drawn")
	}
	var rows int
	b.Run(chromedp.Evaluate(`document.querySelectorAll("#trend-table tbody tr").length`, &rows))
	if rows < 2 {
		t.Fatalf("the trend table has %d rows", rows)
	}
	b.Axe()

	// 3. Book an appointment and move it (not the first free times: they
	// fall inside the cancellation window).
	b.Run(chromedp.Navigate(s.URL+"/account/appointments"), chromedp.WaitVisible("#f-type", chromedp.ByQuery))
	b.Axe()
	b.Run(chromedp.Submit("#f-type", chromedp.ByQuery), chromedp.WaitVisible(`input[name="slot"]`, chromedp.ByQuery))
	b.Axe()
	b.Run(chromedp.Click(`#slot-20`, chromedp.ByQuery),
		chromedp.SetValue("#f-reason", "Dizzy in the mornings", chromedp.ByQuery),
		chromedp.Submit("#f-reason", chromedp.ByQuery),
		chromedp.WaitVisible("#done-booked", chromedp.ByQuery), chromedp.Text("main", &text, chromedp.ByQuery))
	if !strings.Contains(text, "Your appointment is booked") {
		t.Fatalf("after booking: %s", text)
	}
	b.Axe()
	var before, after string
	b.Run(chromedp.Text("dd", &before, chromedp.ByQuery))
	b.Run(chromedp.Click(`#slot-30`, chromedp.ByQuery), chromedp.Submit(`#slot-30`, chromedp.ByQuery),
		chromedp.WaitVisible("#done-moved", chromedp.ByQuery), chromedp.Text("dd", &after, chromedp.ByQuery))
	if after == before {
		t.Fatalf("the appointment did not move: %q", before)
	}
	b.Axe()

	// 4. An order with a prescription-only product waits for the
	// prescription; the patient uploads one.
	b.Run(chromedp.Navigate(s.URL+"/products/"+rxSlug), chromedp.WaitVisible(`form[action="/cart/items"] button[type=submit]`, chromedp.ByQuery))
	b.Axe()
	// The cart's post lands on /cart before the next page is asked for.
	b.Run(chromedp.Click(`form[action="/cart/items"] button[type=submit]`, chromedp.ByQuery), untilURL("/cart"),
		chromedp.WaitVisible("main h1", chromedp.ByQuery))
	b.Axe()
	b.Run(chromedp.Navigate(s.URL+"/checkout"), chromedp.WaitVisible("#f-name", chromedp.ByQuery))
	b.Axe()
	b.Run(chromedp.SendKeys("#f-name", "Pat Doe", chromedp.ByQuery), chromedp.SendKeys("#f-line1", "12 Quince Lane", chromedp.ByQuery),
		chromedp.SendKeys("#f-city", "Springfield", chromedp.ByQuery), chromedp.SetValue("#f-region", "NY", chromedp.ByQuery),
		chromedp.SendKeys("#f-postal_code", "10001", chromedp.ByQuery), chromedp.Click("#ship-standard", chromedp.ByQuery),
		chromedp.Click("#pay-test", chromedp.ByQuery), chromedp.Submit("#f-name", chromedp.ByQuery),
		chromedp.WaitVisible(`form[action="/checkout/pay"] button[type=submit]`, chromedp.ByQuery))
	b.Axe()
	var orderURL string
	b.Run(chromedp.Click(`form[action="/checkout/pay"] button[type=submit]`, chromedp.ByQuery), chromedp.WaitVisible("#order-status", chromedp.ByQuery),
		chromedp.Location(&orderURL))
	if !regexp.MustCompile(`/account/orders/[0-9a-f-]{36}$`).MatchString(orderURL) {
		t.Fatalf("after paying: %s", orderURL)
	}
	var status string
	b.Run(chromedp.Text("#order-status", &status, chromedp.ByQuery))
	b.Axe()
	waiting := status
	if waiting != orders.AwaitingRx.Label() {
		t.Fatalf("the order with %s is %q, want it waiting for a prescription", rxName, waiting)
	}
	var img bytes.Buffer
	pic := image.NewRGBA(image.Rect(0, 0, 8, 8))
	pic.Set(1, 1, color.Black)
	if err := png.Encode(&img, pic); err != nil {
		t.Fatal(err)
	}
	scan := filepath.Join(t.TempDir(), "prescription.png")
	if err := os.WriteFile(scan, img.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	b.Run(chromedp.Navigate(s.URL+"/account/prescriptions"), chromedp.WaitVisible("#f-file", chromedp.ByQuery))
	b.Axe()
	b.Run(chromedp.SetUploadFiles("#f-file", []string{scan}, chromedp.ByQuery), chromedp.Submit("#f-file", chromedp.ByQuery),
		untilURL("done=uploaded"), chromedp.WaitVisible("#f-file", chromedp.ByQuery), chromedp.Text("main", &text, chromedp.ByQuery))
	if !strings.Contains(text, "with our pharmacists") {
		t.Fatalf("after uploading: %s", text)
	}
	b.Axe()
	signOut()

	// 5. The pharmacist signs in (password, then the authenticator's code),
	// verifies the upload from the queue, and the order moves on.
	signIn(pharmacist.Email, pharmacist.Password)
	b.Run(chromedp.WaitVisible("#f-code", chromedp.ByQuery))
	b.Axe()
	code, _ := auth.TOTPCode(pharmacist.TOTPSecret, s.Clock.Now())
	b.Run(chromedp.SendKeys("#f-code", code, chromedp.ByQuery), chromedp.Click(`main form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitNotPresent("#f-code", chromedp.ByQuery),
		chromedp.Navigate(s.URL+"/staff/prescriptions"), chromedp.WaitVisible(`main a[href^="/staff/prescriptions/"]`, chromedp.ByQuery))
	b.Axe()
	now := s.Clock.Now()
	b.Run(chromedp.Click(`main a[href^="/staff/prescriptions/"]`, chromedp.ByQuery), chromedp.WaitVisible("#f-variant", chromedp.ByQuery))
	b.Axe()
	b.Run(chromedp.SetValue("#f-variant", rxVariant, chromedp.ByQuery),
		chromedp.SendKeys("#f-drug", "Insulin glargine", chromedp.ByQuery), chromedp.SendKeys("#f-strength", "100 units/mL", chromedp.ByQuery),
		chromedp.SetValue("#f-quantity", "5", chromedp.ByQuery), chromedp.SetValue("#f-refills", "2", chromedp.ByQuery),
		chromedp.SetValue("#f-days_supply", "30", chromedp.ByQuery), chromedp.SendKeys("#f-prescriber", "Dr Ana Rivera", chromedp.ByQuery),
		chromedp.SetValue("#f-issued_on", now.AddDate(0, 0, -7).Format("2006-01-02"), chromedp.ByQuery),
		chromedp.SetValue("#f-expires_on", now.AddDate(1, 0, 0).Format("2006-01-02"), chromedp.ByQuery),
		chromedp.Submit("#f-drug", chromedp.ByQuery), untilURL("done=verified"), chromedp.WaitVisible("main", chromedp.ByQuery), chromedp.Text("main", &text, chromedp.ByQuery))
	if !strings.Contains(strings.ToLower(text), "verified") {
		t.Fatalf("after verifying: %s", text)
	}
	b.Axe()
	signOut()
	signIn(patient.Email, patient.Password)
	b.Run(chromedp.WaitVisible("main", chromedp.ByQuery), chromedp.Navigate(orderURL), chromedp.WaitVisible("#order-status", chromedp.ByQuery),
		chromedp.Text("#order-status", &status, chromedp.ByQuery))
	if status != orders.Ready.Label() {
		t.Fatalf("the order says %q after the prescription was verified, want %q", status, orders.Ready.Label())
	}
	b.Axe()
	// The patient's prescriptions page shows what the pharmacist recorded.
	b.Run(chromedp.Navigate(s.URL+"/account/prescriptions"), chromedp.WaitVisible("#f-file", chromedp.ByQuery),
		chromedp.Text("main", &text, chromedp.ByQuery))
	if !strings.Contains(text, "Insulin glargine") || !strings.Contains(text, "Verified") {
		t.Fatalf("the patient's prescriptions after verification: %s", text)
	}
	b.Axe()
	b.Check()
}
