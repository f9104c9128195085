package admin_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestPromotionPageInABrowser: a store manager opens a code from the list,
// pauses it and duplicates it, at a phone's width and a desktop's; every page
// passes axe and the page does not scroll sideways.
func TestPromotionPageInABrowser(t *testing.T) {
	s := testkit.StartServerWithGuard(t, store.SQLite, testkit.TestGuard)
	ctx := context.Background()
	p := &promo.Promotion{TenantID: s.Tenant.ID, Code: "SPRING10", Kind: promo.Percent, Value: 10, StartsAt: s.Clock.Now().Add(-time.Hour), UsageLimit: 50}
	if err := s.Services().Promotions.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	b := testkit.NewBrowser(t, s.URL)
	b.Run(network.SetExtraHTTPHeaders(network.Headers{testkit.TestRoleHeader: "store_manager"}))
	for i, width := range []int64{360, 1280} {
		b.Run(chromedp.EmulateViewport(width, 800))
		b.Run(chromedp.Navigate(s.URL+"/admin/catalog/promotions"), chromedp.WaitVisible("h1", chromedp.ByQuery))
		b.Axe()
		b.Run(chromedp.Click(`a[href="/admin/catalog/promotions/`+p.ID+`"]`, chromedp.ByQuery), chromedp.WaitVisible("#d-code", chromedp.ByQuery))
		b.Axe()
		var sideways bool
		b.Run(chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &sideways))
		if sideways {
			t.Errorf("the promotion page scrolls sideways at %d px", width)
		}
		action := "pause"
		if i == 1 {
			action = "resume"
		}
		var flash string
		b.Run(chromedp.Submit(`form[action$="/`+action+`"] button`, chromedp.ByQuery), chromedp.WaitVisible(".flash", chromedp.ByQuery),
			chromedp.Text(".flash", &flash, chromedp.ByQuery))
		if !strings.Contains(flash, map[string]string{"pause": "Paused", "resume": "Resumed"}[action]) {
			t.Fatalf("%s: %q", action, flash)
		}
		b.Axe()
	}
	var h1 string
	b.Run(chromedp.SetValue("#d-code", "summer10", chromedp.ByQuery), chromedp.Submit("#d-code", chromedp.ByQuery),
		chromedp.WaitVisible(".flash", chromedp.ByQuery), chromedp.Text("h1", &h1, chromedp.ByQuery))
	if h1 != "Promotion code SUMMER10" {
		t.Fatalf("after duplicating: %q", h1)
	}
	b.Axe()
}
