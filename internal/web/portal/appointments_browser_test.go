package portal_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/web"
)

// TestBookAndMoveAnAppointmentInABrowser: a patient chooses a kind of
// appointment, picks a free time, books it with a reason, moves it and
// cancels it, as a new user would; every page passes axe-core (the choice
// of a time at 360 px too) and loads nothing from another origin.
func TestBookAndMoveAnAppointmentInABrowser(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	ctx := context.Background()
	mgr, doc := s.NewPerson(t, access.RoleStoreManager), s.NewPerson(t, access.RoleClinician)
	someone := s.NewPerson(t, access.RolePatient)
	if _, err := demo.SeedAppointmentsFor(ctx, s.Services().Appointments, s.Clock, s.Tenant.ID, mgr.ID, doc.ID, someone.ID); err != nil {
		t.Fatal(err)
	}
	patient := s.NewPerson(t, access.RolePatient)
	b := testkit.NewBrowser(t, s.URL)
	origin, _ := url.Parse(s.URL)
	b.Run(network.SetCookie(web.CookiePlain, patient.Token).WithDomain(origin.Hostname()).WithPath("/").WithHTTPOnly(true))

	b.Run(chromedp.Navigate(s.URL+"/account/appointments"), chromedp.WaitVisible("#f-type", chromedp.ByQuery))
	b.Axe()
	var body string
	b.Run(chromedp.Submit("#f-type", chromedp.ByQuery), chromedp.WaitVisible(`input[name="slot"]`, chromedp.ByQuery),
		chromedp.Text("h1", &body, chromedp.ByQuery))
	if !strings.Contains(body, "Book:") {
		t.Fatalf("booking page: %q", body)
	}
	b.Axe()
	b.Run(chromedp.EmulateViewport(360, 800))
	b.AxeAt("the booking page at 360px")
	var scroll, inner int64
	b.Run(chromedp.Evaluate(`document.documentElement.scrollWidth`, &scroll), chromedp.Evaluate(`window.innerWidth`, &inner))
	if scroll > inner {
		t.Errorf("the booking page scrolls sideways at 360px: %d > %d", scroll, inner)
	}
	b.Run(chromedp.EmulateViewport(1280, 900))
	// Not the first free time: it falls inside the cancellation window.
	b.Run(chromedp.Click(`#slot-20`, chromedp.ByQuery),
		chromedp.SetValue("#f-reason", "Dizzy in the mornings", chromedp.ByQuery),
		chromedp.Submit("#f-reason", chromedp.ByQuery),
		chromedp.WaitVisible("#done-booked", chromedp.ByQuery), chromedp.Text("main", &body, chromedp.ByQuery))
	if !strings.Contains(body, "Your appointment is booked") || !strings.Contains(body, "Dizzy in the mornings") || !strings.Contains(body, "Dr Ana Rivera") {
		t.Fatalf("after booking: %s", body)
	}
	b.Axe()
	var before string
	b.Run(chromedp.Text("dd", &before, chromedp.ByQuery))
	b.Run(chromedp.Click(`#slot-30`, chromedp.ByQuery), chromedp.Submit(`#slot-30`, chromedp.ByQuery),
		chromedp.WaitVisible("#done-moved", chromedp.ByQuery), chromedp.Text("main", &body, chromedp.ByQuery))
	var after string
	b.Run(chromedp.Text("dd", &after, chromedp.ByQuery))
	if !strings.Contains(body, "has moved") || after == before {
		t.Fatalf("after moving: %q → %q: %s", before, after, body)
	}
	b.Axe()
	b.Run(chromedp.Click(`form[action$="/cancel"] button`, chromedp.ByQuery), chromedp.WaitVisible("#past-h", chromedp.ByQuery),
		chromedp.Text("main", &body, chromedp.ByQuery))
	if !strings.Contains(body, "Cancelled") || !strings.Contains(body, "No upcoming appointments") {
		t.Fatalf("after cancelling: %s", body)
	}
	b.Axe()
}
