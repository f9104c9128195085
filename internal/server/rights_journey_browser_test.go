package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/messaging"
	"github.com/salvehealth/salve/internal/records"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestPatientRightsJourneyInABrowser is issue 16's combined journey in
// Chromium, on the demo's data (catalog, orders, message teams): the demo
// patient writes to the pharmacy with a photo attached; a pharmacist signs
// in (password and authenticator code) and answers; the patient reads the
// answer, downloads the HSA/FSA receipt of an order, asks for a copy of
// their record and downloads it, and reads in their access log who did
// what (the pharmacist's reading of the thread among it). Every page
// passes axe-core; b.Check fails the test if any request left the origin.
func TestPatientRightsJourneyInABrowser(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	ctx := context.Background()
	if _, err := demo.SeedCatalog(ctx, s.Catalog(), s.Tenant.ID); err != nil {
		t.Fatal(err)
	}
	patient := s.NewPerson(t, access.RolePatient)
	pharmacist := s.NewPerson(t, access.RolePharmacist)
	admin := s.NewPerson(t, access.RoleAdmin)
	orderIDs, err := demo.SeedOrdersFor(ctx, s.Catalog(), s.Services().Orders, s.Tenant.ID, patient.ID, s.NewPerson(t, access.RoleFulfillment).ID)
	if err != nil {
		t.Fatal(err)
	}
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
	downloads := t.TempDir()

	b := testkit.NewBrowser(t, s.URL)
	b.Run(browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(downloads))
	var text string
	read := func(sel string) string {
		t.Helper()
		var v string
		b.Run(chromedp.Text(sel, &v, chromedp.ByQuery))
		return v
	}
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
	// downloaded waits for the one file matching pattern in the download
	// folder and returns its bytes.
	downloaded := func(pattern string) []byte {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			files, _ := filepath.Glob(filepath.Join(downloads, pattern))
			if len(files) == 1 {
				if raw, err := os.ReadFile(files[0]); err == nil && len(raw) > 0 {
					return raw
				}
			}
		}
		t.Fatalf("no download matching %s", pattern)
		return nil
	}

	// 1. The patient writes to the pharmacy with a photo attached.
	signIn(patient.Email, patient.Password)
	b.Run(chromedp.Navigate(s.URL+"/account/messages"), chromedp.WaitVisible("#new-message", chromedp.ByQuery),
		chromedp.Click("#new-message", chromedp.ByQuery), chromedp.WaitVisible("#f-team", chromedp.ByQuery))
	b.Axe()
	b.Run(chromedp.SetValue("#f-team", pharmacy, chromedp.ByQuery),
		chromedp.SendKeys("#f-subject", "Insulin pen not working", chromedp.ByQuery),
		chromedp.SendKeys("#f-body", "My insulin pen clicks but nothing comes out.", chromedp.ByQuery),
		chromedp.SetUploadFiles("#f-file", []string{photo}, chromedp.ByQuery), chromedp.Submit("#f-subject", chromedp.ByQuery),
		untilURL("done=sent"), chromedp.WaitVisible("#messages", chromedp.ByQuery), chromedp.Text("main", &text, chromedp.ByQuery))
	if !strings.Contains(text, "Your message is sent") || !strings.Contains(text, "Download the attached file") {
		t.Fatalf("after sending: %s", text)
	}
	b.Axe()
	signOut()

	// 2. The pharmacist finds it in the inbox, sees the photo as a download
	// and answers.
	signIn(pharmacist.Email, pharmacist.Password)
	b.Run(chromedp.WaitVisible("#f-code", chromedp.ByQuery))
	code, _ := auth.TOTPCode(pharmacist.TOTPSecret, s.Clock.Now())
	b.Run(chromedp.SendKeys("#f-code", code, chromedp.ByQuery), chromedp.Click(`main form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitNotPresent("#f-code", chromedp.ByQuery),
		chromedp.Navigate(s.URL+"/staff/messages"), chromedp.WaitVisible("#inbox", chromedp.ByQuery))
	if inbox := read("#inbox"); !strings.Contains(inbox, "1 new") {
		t.Fatalf("inbox: %s", inbox)
	}
	b.Axe()
	b.Run(chromedp.Click(`#inbox a[href^="/staff/messages/"]`, chromedp.ByQuery), chromedp.WaitVisible("#f-body", chromedp.ByQuery))
	if n := len(b.Nodes(`#messages a[download][href^="/staff/messages/attachments/"]`)); n != 1 {
		t.Fatalf("the pharmacist sees %d attachment links", n)
	}
	b.Axe()
	b.Run(chromedp.SendKeys("#f-body", "Prime the pen with 2 units before each dose, then try again.", chromedp.ByQuery),
		chromedp.Submit("#f-body", chromedp.ByQuery), untilURL("done=sent"), chromedp.WaitVisible("#messages", chromedp.ByQuery))
	signOut()

	// 3. The patient reads the answer.
	signIn(patient.Email, patient.Password)
	b.Run(chromedp.Navigate(s.URL+"/account/messages"), chromedp.WaitVisible("#threads", chromedp.ByQuery),
		chromedp.Click(`#threads a`, chromedp.ByQuery), chromedp.WaitVisible("#messages", chromedp.ByQuery))
	if th := read("#messages"); !strings.Contains(th, "Prime the pen with 2 units") {
		t.Fatalf("the patient's thread: %s", th)
	}
	b.Axe()

	// 4. The HSA/FSA receipt of the demo's first order, downloaded as a PDF
	// holding the eligible items only.
	b.Run(chromedp.Navigate(s.URL+"/account/orders/"+orderIDs[0]+"/receipt"), chromedp.WaitVisible("#merchant", chromedp.ByQuery),
		chromedp.Click(`a[href$="/hsa-receipt"]`, chromedp.ByQuery), chromedp.WaitVisible("#hsa-items", chromedp.ByQuery))
	b.Axe()
	b.Run(chromedp.Click("#hsa-pdf", chromedp.ByQuery))
	pdf := downloaded("*.pdf")
	if !strings.HasPrefix(string(pdf), "%PDF-") || !strings.Contains(string(pdf), "GlucoSure Test Strips") || strings.Contains(string(pdf), "Melatonin") {
		t.Fatalf("downloaded PDF (%d bytes) is not the HSA/FSA receipt of the eligible items", len(pdf))
	}

	// 5. A copy of the record: asked for, prepared by the job, downloaded;
	// the archive holds the FHIR bundle.
	b.Run(chromedp.Navigate(s.URL+"/account/records"), chromedp.WaitVisible(`form[action="/account/records"] button`, chromedp.ByQuery))
	b.Axe()
	b.Run(chromedp.Click(`form[action="/account/records"] button`, chromedp.ByQuery), chromedp.WaitVisible("progress", chromedp.ByQuery))
	if n, err := s.Services().Records.BuildPending(ctx, 10); err != nil || n != 1 {
		t.Fatalf("build: %d %v", n, err)
	}
	b.Run(chromedp.WaitVisible(`a[href$="/download"]`, chromedp.ByQuery))
	b.Axe()
	b.Run(chromedp.Click(`a[href$="/download"]`, chromedp.ByQuery))
	archive := downloaded("*.zip")
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatalf("the record copy is not a zip: %v", err)
	}
	var hasBundle bool
	for _, f := range zr.File {
		hasBundle = hasBundle || f.Name == records.ArchiveFile
	}
	if !hasBundle {
		t.Fatalf("the record copy lacks %s", records.ArchiveFile)
	}

	// 6. The access log tells the story: the copy asked for, prepared and
	// downloaded, and the pharmacist who read the thread.
	b.Run(chromedp.Navigate(s.URL+"/account/records"), chromedp.WaitVisible(`a[href^="/account/access-log"]`, chromedp.ByQuery),
		chromedp.Click(`a[href^="/account/access-log"]`, chromedp.ByQuery), chromedp.WaitVisible("#access-log", chromedp.ByQuery))
	b.Axe()
	log := read("#access-log")
	for _, want := range []string{"Asked for a copy of your record", "Prepared a copy of your record", "Downloaded a copy of the record", "Pharmacist"} {
		if !strings.Contains(log, want) {
			t.Errorf("the access log lacks %q:\n%s", want, log)
		}
	}
	b.Check()
}
