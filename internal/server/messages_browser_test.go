package server_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/messaging"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestMessagesInABrowser is issue 16's messaging journey in Chromium, with
// the demo's teams: the patient writes to the pharmacy with a photo
// attached; the pharmacist signs in (password and authenticator code),
// finds the thread in the inbox with its unread count, opens it (the photo
// linked as a download) and answers; the patient sees "1 unread" on the
// dashboard and reads the answer in the thread. Every page passes axe-core;
// any request leaving the origin fails the test.
func TestMessagesInABrowser(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	ctx := context.Background()
	patient := s.NewPerson(t, access.RolePatient)
	pharmacist := s.NewPerson(t, access.RolePharmacist)
	admin := s.NewPerson(t, access.RoleAdmin)
	as := access.WithActor(ctx, access.Actor{ID: admin.ID, Role: access.RoleAdmin, TenantID: s.Tenant.ID})
	var pharmacy string
	for _, mt := range demo.MessageTeams {
		team, err := s.Services().Messages.CreateTeam(as, s.Tenant.ID, mt.Name, mt.Kind)
		if err != nil {
			t.Fatal(err)
		}
		if mt.Kind == messaging.KindPharmacy {
			pharmacy = team.ID
			if err := s.Services().Messages.AddMember(as, s.Tenant.ID, team.ID, pharmacist.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	photo := filepath.Join(t.TempDir(), "pen.png")
	if err := os.WriteFile(photo, msgPNG, 0o600); err != nil {
		t.Fatal(err)
	}

	b := testkit.NewBrowser(t, s.URL)
	var text string
	signIn := func(email, password string) {
		t.Helper()
		b.Run(chromedp.Navigate(s.URL+"/login"), chromedp.WaitVisible("#f-email", chromedp.ByQuery),
			chromedp.SendKeys("#f-email", email, chromedp.ByQuery), chromedp.SendKeys("#f-password", password, chromedp.ByQuery),
			chromedp.Click(`main button[type=submit]`, chromedp.ByQuery), chromedp.WaitNotPresent("#f-password", chromedp.ByQuery))
	}
	signOut := func() {
		t.Helper()
		b.Run(chromedp.Click(`.account-links form button`, chromedp.ByQuery), chromedp.WaitVisible(`//h1[contains(., "Sign in")]`))
	}

	// 1. The patient: the empty list says what to do, then a new message to
	// the pharmacy with a photo.
	signIn(patient.Email, patient.Password)
	b.Run(chromedp.Navigate(s.URL+"/account/messages"), chromedp.WaitVisible("#new-message", chromedp.ByQuery),
		chromedp.Text("main", &text, chromedp.ByQuery))
	if !strings.Contains(text, "No messages yet") {
		t.Fatalf("empty list: %s", text)
	}
	b.Axe()
	b.Run(chromedp.Click("#new-message", chromedp.ByQuery), chromedp.WaitVisible("#f-team", chromedp.ByQuery))
	b.Axe()
	// Sent without a subject first: the error is on its field, the text
	// typed stays.
	b.Run(chromedp.SetValue("#f-team", pharmacy, chromedp.ByQuery),
		chromedp.SendKeys("#f-body", "My insulin pen clicks but nothing comes out.", chromedp.ByQuery),
		chromedp.Submit("#f-body", chromedp.ByQuery), chromedp.WaitVisible("#f-subject-error", chromedp.ByQuery),
		chromedp.Value("#f-body", &text, chromedp.ByQuery))
	if text != "My insulin pen clicks but nothing comes out." {
		t.Fatalf("the text typed was lost: %q", text)
	}
	b.Axe()
	b.Run(chromedp.SendKeys("#f-subject", "Insulin pen not working", chromedp.ByQuery),
		chromedp.SetUploadFiles("#f-file", []string{photo}, chromedp.ByQuery), chromedp.Submit("#f-subject", chromedp.ByQuery),
		untilURL("done=sent"), chromedp.WaitVisible("#messages", chromedp.ByQuery), chromedp.Text("main", &text, chromedp.ByQuery))
	if !strings.Contains(text, "Your message is sent") || !strings.Contains(text, "Download the attached file") {
		t.Fatalf("after sending: %s", text)
	}
	b.Axe()
	signOut()

	// 2. The pharmacist: the inbox counts it unread; the thread shows the
	// photo as a download; the answer goes.
	signIn(pharmacist.Email, pharmacist.Password)
	b.Run(chromedp.WaitVisible("#f-code", chromedp.ByQuery))
	code, _ := auth.TOTPCode(pharmacist.TOTPSecret, s.Clock.Now())
	b.Run(chromedp.SendKeys("#f-code", code, chromedp.ByQuery), chromedp.Click(`main form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitNotPresent("#f-code", chromedp.ByQuery),
		chromedp.Navigate(s.URL+"/staff/messages"), chromedp.WaitVisible("#inbox", chromedp.ByQuery), chromedp.Text("#inbox", &text, chromedp.ByQuery))
	if !strings.Contains(text, "1 new") || !strings.Contains(text, "Pharmacy") {
		t.Fatalf("inbox: %s", text)
	}
	b.Axe()
	b.Run(chromedp.Click(`#inbox a[href^="/staff/messages/"]`, chromedp.ByQuery), chromedp.WaitVisible("#f-body", chromedp.ByQuery),
		chromedp.Text("main", &text, chromedp.ByQuery))
	if !strings.Contains(text, "Insulin pen not working") || !strings.Contains(text, "nothing comes out") {
		t.Fatalf("thread for the pharmacist: %s", text)
	}
	var href string
	var ok bool
	b.Run(chromedp.AttributeValue(`#messages a[download]`, "href", &href, &ok, chromedp.ByQuery))
	if !ok || !strings.HasPrefix(href, "/staff/messages/attachments/") {
		t.Fatalf("attachment link: %q", href)
	}
	b.Axe()
	b.Run(chromedp.SendKeys("#f-body", "Prime the pen with 2 units before each dose, then try again.", chromedp.ByQuery),
		chromedp.Submit("#f-body", chromedp.ByQuery), untilURL("done=sent"), chromedp.WaitVisible("#messages", chromedp.ByQuery))
	b.Run(chromedp.SetValue("#f-assignee", "me", chromedp.ByQuery), chromedp.Submit("#f-assignee", chromedp.ByQuery),
		untilURL("done=assigned"), chromedp.WaitVisible("#messages", chromedp.ByQuery), chromedp.Text("main", &text, chromedp.ByQuery))
	if !strings.Contains(text, "assigned to you") {
		t.Fatalf("after assigning: %s", text)
	}
	b.Axe()
	signOut()

	// 3. The patient: the dashboard counts the answer, the thread shows it.
	signIn(patient.Email, patient.Password)
	b.Run(chromedp.Navigate(s.URL+"/account"), chromedp.WaitVisible("#widget-messages", chromedp.ByQuery),
		chromedp.Text("#widget-messages", &text, chromedp.ByQuery))
	if !strings.Contains(text, "1 unread") || !strings.Contains(text, "Insulin pen not working") {
		t.Fatalf("messages widget: %s", text)
	}
	b.Axe()
	b.Run(chromedp.Navigate(s.URL+"/account/messages"), chromedp.WaitVisible("#threads", chromedp.ByQuery),
		chromedp.Click(`#threads a`, chromedp.ByQuery), chromedp.WaitVisible("#messages", chromedp.ByQuery),
		chromedp.Text("#messages", &text, chromedp.ByQuery))
	if !strings.Contains(text, "Prime the pen with 2 units") || !strings.Contains(text, "Pharmacy") {
		t.Fatalf("the patient's thread: %s", text)
	}
	b.Axe()
	b.Check()
}
