package server_test

import (
	"context"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/retention"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/web"
)

// TestComplianceOfficerInABrowser: the compliance officer opens the
// report, walks to the changes page, approves an admin's retention request
// with a note (it is then in effect and listed as applied), and opens the
// data-flow diagram, whose image loads; every page passes axe-core and
// loads nothing from another origin.
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
	if !strings.Contains(text, "164.312(b)") || !strings.Contains(text, "not tracked yet") {
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
	b.Check()
}
