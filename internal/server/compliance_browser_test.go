package server_test

import (
	"context"
	"errors"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/retention"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/web"
)

// TestComplianceOfficerInABrowser: the compliance officer opens the
// report, walks to the changes page, approves an admin's retention request
// with a note (it is then in effect and listed as applied), and opens the
// data-flow diagram, whose image loads; then the vendors, and an incident
// to its letters (recorded, people selected from the audit log, assessed a
// breach, the letter written, the notices sent, a letter fetched as PDF);
// every page passes axe-core and loads nothing from another origin.
func TestComplianceOfficerInABrowser(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	ctx := context.Background()
	admin, officer := s.NewPerson(t, access.RoleAdmin), s.NewPerson(t, access.RoleCompliance)
	asAdmin := access.WithActor(ctx, access.Actor{ID: admin.ID, Role: access.RoleAdmin, TenantID: s.Tenant.ID})
	ch, err := s.Services().Changes.Request(asAdmin, s.Tenant.ID, changes.KindRetentionRule, retention.Orders,
		map[string]string{"keep_days": "800"}, "Tax counsel: keep orders longer")
	if err != nil {
		t.Fatal(err)
	}
	b := testkit.NewBrowser(t, s.URL)
	origin, _ := url.Parse(s.URL)
	b.Run(network.SetCookie(web.CookiePlain, officer.Token).WithDomain(origin.Hostname()).WithPath("/").WithHTTPOnly(true))

	var text string
	b.Run(chromedp.Navigate(s.URL+"/admin/compliance"), chromedp.WaitVisible("h1", chromedp.ByQuery), chromedp.Text("main", &text, chromedp.ByQuery))
	if !strings.Contains(text, "164.312(b)") || !strings.Contains(text, "No open incidents") || !strings.Contains(text, "Overdue reviews") {
		t.Fatalf("report page: %q", text)
	}
	b.Axe()

	b.Run(chromedp.Click(`a[href="/admin/compliance/changes"]`, chromedp.ByQuery), chromedp.WaitVisible("#pending-h", chromedp.ByQuery))
	b.Axe()
	b.Run(
		chromedp.SetValue("#approve-note-"+ch.ID, "Agreed with counsel", chromedp.ByID),
		chromedp.Submit("#approve-note-"+ch.ID, chromedp.ByID),
		chromedp.WaitVisible(".notice-ok", chromedp.ByQuery),
		// The page's last link: the whole page is in (it arrives in parts).
		chromedp.WaitVisible(`a[href="/admin/compliance/data-flow"]`, chromedp.ByQuery),
		chromedp.Text("main", &text, chromedp.ByQuery),
	)
	if !strings.Contains(text, "approved and is in effect") || !strings.Contains(text, "Agreed with counsel") || !strings.Contains(text, "Nothing is waiting") {
		t.Fatalf("after approving: %q", text)
	}
	b.Axe()
	rules, err := s.Services().Retention.Rules(ctx, s.Tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		if r.RecordType == retention.Orders && (r.KeepDays != 800 || !r.SetByTenant) {
			t.Fatalf("orders rule after approval: %+v", r)
		}
	}

	// With Graphviz (CI installs it) the picture must load; without, the
	// page says so and shows the DOT text.
	_, noDot := exec.LookPath("dot")
	var loaded bool
	b.Run(chromedp.Click(`a[href="/admin/compliance/data-flow"]`, chromedp.ByQuery), chromedp.WaitVisible("h1", chromedp.ByQuery))
	if noDot == nil {
		b.Run(chromedp.Poll(`(() => { const i = document.querySelector(".diagram img"); return !!i && i.complete && i.naturalWidth > 0; })()`, &loaded,
			chromedp.WithPollingTimeout(20*time.Second)))
	}
	b.Run(chromedp.Text("main", &text, chromedp.ByQuery))
	if (noDot == nil && !loaded) || (noDot != nil && !strings.Contains(text, "Graphviz is not installed")) || !strings.Contains(text, "Data flow") {
		t.Fatalf("data-flow page: image loaded %v, %q", loaded, text)
	}
	b.Axe()

	// Vendors, then an incident to its letters (issue 19, item 7): a
	// customer service account read a patient's record; the officer
	// records the incident, selects the people that account read, assesses
	// it a breach, writes the letter and sends the notices.
	b.Run(chromedp.Click(`a[href="/admin/compliance/vendors"]`, chromedp.ByQuery), chromedp.WaitVisible("#integrations-h", chromedp.ByQuery))
	b.Axe()
	patient := s.NewPerson(t, access.RolePatient)
	reader := s.NewPerson(t, access.RoleCustomerService)
	rctx := access.WithActor(ctx, access.Actor{ID: reader.ID, Role: access.RoleCustomerService, TenantID: s.Tenant.ID})
	readAt := s.Clock.Now().Add(-30 * time.Minute)
	if err := s.Stores.AuditLog.Append(rctx, audit.Entry{Time: readAt, TenantID: s.Tenant.ID, Subjects: []string{patient.ID}, Action: "user.read",
		ResourceType: "user", ResourceID: patient.ID, Purpose: access.PurposeOperations, Outcome: audit.Allowed, Severity: audit.Normal}); err != nil {
		t.Fatal(err)
	}
	b.Run(chromedp.Click(`a[href="/admin/compliance/incidents"]`, chromedp.ByQuery), chromedp.WaitVisible("#register-h", chromedp.ByQuery),
		chromedp.Text("main", &text, chromedp.ByQuery))
	if !strings.Contains(text, "No incidents recorded") {
		t.Fatalf("empty register: %q", text)
	}
	b.Axe()
	// done waits for the page after a submit (post/redirect/get).
	// Why a loop in Go: polling in the page fails while it navigates.
	done := func(d string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			for range 400 {
				var loc, state string
				if chromedp.Location(&loc).Do(ctx) == nil && strings.Contains(loc, "done="+d) &&
					chromedp.Evaluate(`document.readyState`, &state).Do(ctx) == nil && state == "complete" {
					return nil
				}
				time.Sleep(25 * time.Millisecond)
			}
			return errors.New("no page after the submit: done=" + d)
		})
	}
	b.Run(
		chromedp.SetValue("#f-title", "Customer service login misused", chromedp.ByID),
		chromedp.SetValue("#f-discovered_on", s.Clock.Now().UTC().Format("2006-01-02"), chromedp.ByID),
		chromedp.SetValue("#f-description", "A login read records it had no reason to read.", chromedp.ByID),
		chromedp.Click("#sys-0", chromedp.ByID),
		chromedp.Click("#cls-0", chromedp.ByID),
		chromedp.Submit("#f-title", chromedp.ByID),
		done("created"),
	)
	b.Axe()
	minute := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04") }
	b.Run(
		chromedp.SetValue("#select-actor", reader.ID, chromedp.ByID),
		chromedp.SetValue("#select-from", minute(readAt.Add(-time.Minute)), chromedp.ByID),
		chromedp.SetValue("#select-to", minute(s.Clock.Now().Add(time.Minute)), chromedp.ByID),
		chromedp.Submit("#select-actor", chromedp.ByID),
		done("selected"),
		chromedp.SetValue("#assess-nature", "Names and order history.", chromedp.ByID),
		chromedp.SetValue("#assess-recipient", "A staff member without a reason.", chromedp.ByID),
		chromedp.SetValue("#assess-acquired", "Viewed on screen.", chromedp.ByID),
		chromedp.SetValue("#assess-mitigation", "The login was disabled.", chromedp.ByID),
		chromedp.Click("#concl-breach", chromedp.ByID),
		chromedp.Submit("#assess-nature", chromedp.ByID),
		done("assessed"),
		chromedp.SetValue("#letter-what_happened", "A staff login viewed records without a reason.", chromedp.ByID),
		chromedp.SetValue("#letter-information", "Your name and orders.", chromedp.ByID),
		chromedp.SetValue("#letter-steps", "Be wary of calls claiming to be us.", chromedp.ByID),
		chromedp.SetValue("#letter-doing", "We disabled the login and retrained staff.", chromedp.ByID),
		chromedp.SetValue("#letter-contact", "Call 1-800-555-0100.", chromedp.ByID),
		chromedp.Submit("#letter-what_happened", chromedp.ByID),
		done("letter"),
	)
	b.Axe()
	b.Run(chromedp.Click(`form[action$="/notify"] button`, chromedp.ByQuery), done("notified"),
		chromedp.Text("main", &text, chromedp.ByQuery))
	if !strings.Contains(text, "Sent on") || !strings.Contains(text, "Letter to "+patient.ID) || !strings.Contains(text, "yearly HHS log") {
		t.Fatalf("after notifying: %q", text)
	}
	b.Axe()
	// The letter: a PDF, fetched as the link would.
	var kind string
	b.Run(chromedp.Evaluate(`fetch(document.querySelector('a[href*="/letters/"]').href).then(r => r.headers.get("Content-Type"))`, &kind,
		func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	if kind != "application/pdf" {
		t.Fatalf("letter: %q", kind)
	}
	b.Check()
}
