package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/web"
)

// TestTwoBrandsInABrowser: two brands of one organisation at their own
// *.localhost names (loopback in Chromium), as the demo has them: each
// renders with its own name, logo and header colour, passes axe-core with
// its colours, and shows the organisation's footer; a patient's session
// cookie of one brand does not sign anyone in at the other.
func TestTwoBrandsInABrowser(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	ctx := context.Background()
	tenants := store.NewTenants(s.Stores.Catalog)
	now := s.Clock.Now()
	org := &tenant.Organisation{ID: id.New(), Slug: "group", Name: "Care Group", CreatedAt: now, UpdatedAt: now}
	if err := tenants.CreateOrg(ctx, org); err != nil {
		t.Fatal(err)
	}
	if err := tenants.SetSetting(ctx, org.ID, tenant.SetFooter, "Care Group: two brands, one organisation.", now); err != nil {
		t.Fatal(err)
	}
	diabetes, err := tenants.ByID(ctx, s.Tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	diabetes.OrgID, diabetes.Hostnames = org.ID, append(diabetes.Hostnames, "diabetes.localhost")
	if err := diabetes.SetLogo(demo.Logo()); err != nil {
		t.Fatal(err)
	}
	if err := tenants.Update(ctx, diabetes); err != nil {
		t.Fatal(err)
	}
	travel := &tenant.Tenant{ID: id.New(), Slug: "travel", Name: "Travel Clinic", Hostnames: []string{"travel.localhost"}, Theme: tenant.DefaultTheme,
		OrgID: org.ID, CreatedAt: now, UpdatedAt: now}
	if err := travel.SetLogo(demo.TravelLogo()); err != nil {
		t.Fatal(err)
	}
	if err := tenants.Create(ctx, travel); err != nil {
		t.Fatal(err)
	}
	// The demo's travel colours, which the pages must keep readable.
	for k, v := range map[string]string{tenant.SetPrimaryColor: "#5b2a86", tenant.SetAccentColor: "#a34712"} {
		if err := tenants.SetSetting(ctx, travel.ID, k, v, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Server.Tenants().Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	port := s.URL[strings.LastIndexByte(s.URL, ':'):]

	brands := []struct{ host, name, header string }{
		{"diabetes.localhost", s.Tenant.Name, "rgb(31, 78, 121)"}, // #1f4e79, the default it inherits
		{"travel.localhost", "Travel Clinic", "rgb(91, 42, 134)"}, // #5b2a86, its own
	}
	var logos []string
	for _, br := range brands {
		base := "http://" + br.host + port
		b := testkit.NewBrowser(t, base)
		var name, bg, footer, logo string
		var logoWidth int
		b.Run(chromedp.Navigate(base+"/"), chromedp.WaitVisible(".site-header .brand-name", chromedp.ByQuery),
			chromedp.Text(".site-header .brand-name", &name, chromedp.ByQuery),
			chromedp.Evaluate(`getComputedStyle(document.querySelector(".site-header")).backgroundColor`, &bg),
			chromedp.Text(".site-footer", &footer, chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelector(".site-header .brand img").src`, &logo),
			chromedp.Poll(`document.querySelector(".site-header .brand img").complete && document.querySelector(".site-header .brand img").naturalWidth`, &logoWidth))
		if name != br.name || bg != br.header || !strings.Contains(footer, "Care Group: two brands, one organisation.") || logoWidth != 64 {
			t.Errorf("%s: name %q, header %s, logo %d px wide, footer %q", br.host, name, bg, logoWidth, footer)
		}
		logos = append(logos, logo[strings.Index(logo, "/logo"):])
		b.AxeAt(br.host)
	}
	if logos[0] == logos[1] {
		t.Errorf("both brands show the logo %s", logos[0])
	}

	// A patient of the diabetes brand is signed in there; the same cookie
	// at the travel brand is nobody (denial looks like not signed in).
	patient := s.NewPerson(t, access.RolePatient)
	get := func(host string) int {
		u, _ := url.Parse(s.URL + "/account")
		req := &http.Request{Method: "GET", URL: u, Host: host, Header: http.Header{}}
		req.AddCookie(&http.Cookie{Name: web.CookiePlain, Value: patient.Token})
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get("diabetes.localhost"); got != http.StatusOK {
		t.Fatalf("the patient at their own brand: %d", got)
	}
	if got := get("travel.localhost"); got == http.StatusOK {
		t.Fatal("a session of the diabetes brand was accepted at the travel brand")
	}
}
