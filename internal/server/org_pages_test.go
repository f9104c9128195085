package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/web"
)

// at sends a request at a brand's host (its first host name; "" for A, the
// test server's default) with a person's session cookie (none for "") and
// an optional brand switcher choice.
func (w brandWorld) at(t *testing.T, brand *tenant.Tenant, token, choice, method, path string, form url.Values) (int, string) {
	t.Helper()
	req := w.s.NewRequest(t, method, path, form)
	if brand != nil && brand.ID != w.a.ID {
		req.Host = brand.Hostnames[0]
		if method != http.MethodGet {
			req.Header.Set("Origin", "http://"+brand.Hostnames[0])
		}
	}
	if token != "" {
		req.AddCookie(&http.Cookie{Name: web.CookiePlain, Value: token})
	}
	if choice != "" {
		req.AddCookie(&http.Cookie{Name: web.BrandCookiePlain, Value: choice})
	}
	resp, body := testkit.Do(t, w.s.Client(), req)
	return resp.StatusCode, body
}

// TestOrganisationPage: the organisation's admin (an organisation role, not
// a brand's admin) sees the organisation's brands and settings at
// /admin/organisation, sets a setting there that every inheriting brand
// shows and the overriding one does not, resets it, cannot set a session
// length directly (only by an approved request, which applies when a
// second admin approves), and grants and revokes organisation roles; the
// organisation's store manager sets settings but not roles; a brand admin
// without an organisation role, and the admin of another organisation, get
// the 404 (the other organisation's page is their own, never this one).
// Every change is in the audit log of the brand acted in. Both engines.
func TestOrganisationPage(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		w := newBrandWorld(t, e)
		s := w.s
		ctx := context.Background()
		tenants := store.NewTenants(s.Stores.Catalog)
		now := s.Clock.Now()
		if err := tenants.SetSetting(ctx, w.b.ID, tenant.SetFooter, "Sister's own footer", now); err != nil {
			t.Fatal(err)
		}
		if err := s.Tenants().Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		orgAdmin := s.NewPerson(t, access.RoleAdmin)
		w.grantOrgRole(t, orgAdmin, access.RoleAdmin)
		orgMgr := s.NewPerson(t, access.RoleStoreManager)
		w.grantOrgRole(t, orgMgr, access.RoleStoreManager)
		brandAdmin := s.NewPerson(t, access.RoleAdmin)
		secondAdmin := s.NewPerson(t, access.RoleAdmin)

		code, body := w.at(t, w.a, orgAdmin.Token, "", "GET", "/admin/organisation", nil)
		if code != 200 || !strings.Contains(body, "Care Group") || !strings.Contains(body, "Sister Brand") || !strings.Contains(body, "sister.test") ||
			!strings.Contains(body, "Organisation roles") || strings.Contains(body, "Unrelated Pharmacy") || !strings.Contains(body, "Brands with their own value: sister") {
			t.Fatalf("the organisation's page: %d\n%s", code, body)
		}
		if code, _ := w.at(t, w.a, orgAdmin.Token, "", "POST", "/admin/organisation/settings/footer", url.Values{"value": {"The group's footer"}}); code != 303 {
			t.Fatalf("set the footer: %d", code)
		}
		if _, body := w.at(t, w.a, "", "", "GET", "/", nil); !strings.Contains(body, "The group&#39;s footer") && !strings.Contains(body, "The group's footer") {
			t.Error("the inheriting brand does not show the organisation's footer")
		}
		if _, body := w.at(t, w.b, "", "", "GET", "/", nil); strings.Contains(body, "group&#39;s footer") || !strings.Contains(body, "Sister&#39;s own footer") {
			t.Error("the overriding brand shows the organisation's footer, or lost its own")
		}
		if code, body := w.at(t, w.a, orgAdmin.Token, "", "POST", "/admin/organisation/settings/primary_color", url.Values{"value": {"teal"}}); code != 400 ||
			!strings.Contains(body, "Use a colour such as") {
			t.Errorf("a refused colour: %d", code)
		}
		if code, body := w.at(t, w.a, orgAdmin.Token, "", "POST", "/admin/organisation/settings/staff_idle_minutes", url.Values{"value": {"5"}}); code != 400 ||
			!strings.Contains(body, "approved request") {
			t.Errorf("a session length set directly: %d", code)
		}
		if code, _ := w.at(t, w.a, orgAdmin.Token, "", "POST", "/admin/organisation/settings/footer/reset", url.Values{}); code != 303 {
			t.Fatalf("reset: %d", code)
		}
		if _, body := w.at(t, w.a, "", "", "GET", "/", nil); strings.Contains(body, "group&#39;s footer") {
			t.Error("the footer stayed after the reset")
		}

		// The session lengths: a request, applied when a second admin approves.
		if code, body := w.at(t, w.a, orgAdmin.Token, "", "POST", "/admin/organisation/session-limits",
			url.Values{"staff_idle_minutes": {"10"}, "reason": {"group policy"}}); code != 303 {
			t.Fatalf("request the session lengths: %d\n%s", code, body)
		}
		if o := orgNamed(t, tenants, "group"); o.Settings[tenant.SetStaffIdleMinutes] != "" {
			t.Fatal("the session length changed before anyone approved it")
		}
		_, body = w.at(t, w.a, secondAdmin.Token, "", "GET", "/admin/compliance/changes", nil)
		m := regexp.MustCompile(`/admin/compliance/changes/([^/]+)/approve`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no pending change to approve:\n%s", body)
		}
		if code, _ := w.at(t, w.a, orgAdmin.Token, "", "POST", "/admin/compliance/changes/"+m[1]+"/approve", url.Values{}); code == 200 || code == 303 {
			t.Fatal("the requester approved their own change")
		}
		if code, _ := w.at(t, w.a, secondAdmin.Token, "", "POST", "/admin/compliance/changes/"+m[1]+"/approve", url.Values{}); code != 200 && code != 303 {
			t.Fatalf("approve: %d", code)
		}
		if o := orgNamed(t, tenants, "group"); o.Settings[tenant.SetStaffIdleMinutes] != "10" {
			t.Fatalf("the approved session length: %q", o.Settings[tenant.SetStaffIdleMinutes])
		}

		// Organisation roles: granted and revoked by the organisation's
		// admin; shown by account id, with no address.
		cs := s.NewPersonIn(t, w.b, access.RoleCustomerService)
		if code, _ := w.at(t, w.a, orgAdmin.Token, "", "POST", "/admin/organisation/roles",
			url.Values{"brand": {w.b.ID}, "email": {cs.Email}, "role": {string(access.RoleCustomerService)}}); code != 303 {
			t.Fatalf("grant: %d", code)
		}
		_, body = w.at(t, w.a, orgAdmin.Token, "", "GET", "/admin/organisation", nil)
		if !strings.Contains(body, cs.ID) || strings.Contains(body, cs.Email) || strings.Contains(body, orgAdmin.Email) {
			t.Fatalf("the roles list: want the id and no address\n%s", body)
		}
		if code, body := w.at(t, w.a, orgAdmin.Token, "", "POST", "/admin/organisation/roles",
			url.Values{"brand": {w.c.ID}, "email": {cs.Email}, "role": {string(access.RoleCustomerService)}}); code != 400 {
			t.Fatalf("grant to another organisation's brand: %d\n%s", code, body)
		}
		if code, _ := w.at(t, w.a, orgAdmin.Token, "", "POST", "/admin/organisation/roles/"+cs.ID+"/revoke", url.Values{}); code != 303 {
			t.Fatalf("revoke: %d", code)
		}
		if _, err := s.Services().Grants.OrgRoleOf(ctx, w.b.ID, cs.ID); err == nil {
			t.Fatal("the role stayed after it was revoked")
		}

		// The organisation's store manager: settings, not roles.
		if code, body := w.at(t, w.a, orgMgr.Token, "", "GET", "/admin/organisation", nil); code != 200 || strings.Contains(body, "Organisation roles") {
			t.Errorf("the store manager's page: %d", code)
		}
		if code, _ := w.at(t, w.a, orgMgr.Token, "", "POST", "/admin/organisation/settings/footer", url.Values{"value": {"Managers' footer"}}); code != 303 {
			t.Errorf("the store manager sets a setting: %d", code)
		}
		for _, p := range []string{"/admin/organisation/roles", "/admin/organisation/roles/" + orgAdmin.ID + "/revoke", "/admin/organisation/session-limits"} {
			if code, _ := w.at(t, w.a, orgMgr.Token, "", "POST", p, url.Values{"brand": {w.a.ID}, "email": {brandAdmin.Email}, "role": {"admin"}, "reason": {"x"}}); code != 404 {
				t.Errorf("the store manager posts %s: %d, want 404", p, code)
			}
		}

		// The menu offers the page to those it admits only.
		if _, body := w.at(t, w.a, orgAdmin.Token, "", "GET", "/staff", nil); !strings.Contains(body, `href="/admin/organisation"`) {
			t.Error("the organisation's admin is not offered the page")
		}
		if _, body := w.at(t, w.a, brandAdmin.Token, "", "GET", "/staff", nil); strings.Contains(body, `href="/admin/organisation"`) {
			t.Error("a brand admin is offered the organisation's page")
		}
		// A brand admin without an organisation role; the admin of another
		// organisation, at their own brand (and switching to this one).
		for _, p := range []string{"/admin/organisation"} {
			if code, _ := w.at(t, w.a, brandAdmin.Token, "", "GET", p, nil); code != 404 {
				t.Errorf("a brand admin: %d, want 404", code)
			}
		}
		if code, _ := w.at(t, w.a, brandAdmin.Token, "", "POST", "/admin/organisation/settings/footer", url.Values{"value": {"x"}}); code != 404 {
			t.Errorf("a brand admin sets a setting: %d, want 404", code)
		}
		rivalBrandAdmin := s.NewPersonIn(t, w.c, access.RoleAdmin)
		if code, _ := w.at(t, w.c, rivalBrandAdmin.Token, "", "GET", "/admin/organisation", nil); code != 404 {
			t.Errorf("a brand admin of another organisation: %d, want 404", code)
		}
		if code, _ := w.at(t, w.c, rivalBrandAdmin.Token, w.a.ID, "POST", "/admin/organisation/settings/footer", url.Values{"value": {"x"}}); code != 404 {
			t.Errorf("a brand admin of another organisation choosing this one: %d, want 404", code)
		}
		rivalAdmin := s.NewPersonIn(t, w.c, access.RoleAdmin)
		rivalOrg := orgNamed(t, tenants, "rival")
		if _, err := s.Services().Grants.GrantOrgRole(access.WithActor(ctx, access.System("org-role", w.c.ID)), rivalOrg.ID, w.c.ID, rivalAdmin.Email, access.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		code, body = w.at(t, w.c, rivalAdmin.Token, "", "GET", "/admin/organisation", nil)
		if code != 200 || !strings.Contains(body, "Rival Group") || strings.Contains(body, "Care Group") || strings.Contains(body, "Sister Brand") {
			t.Errorf("the other organisation's admin: %d", code)
		}
		if code, _ := w.at(t, w.c, rivalAdmin.Token, w.b.ID, "POST", "/admin/organisation/roles/"+orgAdmin.ID+"/revoke", url.Values{}); code != 404 {
			t.Errorf("the other organisation's admin revokes this one's role: %d, want 404", code)
		}
		if code, _ := w.at(t, w.c, rivalAdmin.Token, "", "POST", "/admin/organisation/settings/footer", url.Values{"value": {"Rival footer"}}); code != 303 {
			t.Errorf("the other organisation's admin sets their own: %d", code)
		}
		if _, body := w.at(t, w.a, "", "", "GET", "/", nil); strings.Contains(body, "Rival footer") {
			t.Error("another organisation's setting reached this brand")
		}

		// Audited in the brand acted in.
		recs, err := s.AuditLog().Find(ctx, audit.Query{TenantID: w.a.ID, Limit: 5000})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, r := range recs {
			seen[r.Action]++
		}
		for _, want := range []string{"org.setting.set", "org.setting.reset", "change.request", "change.approve"} {
			if seen[want] == 0 {
				t.Errorf("no %s event: %v", want, seen)
			}
		}
		// A role's grant and revocation: in the log of the account's brand.
		recs, err = s.AuditLog().Find(ctx, audit.Query{TenantID: w.b.ID, Subject: cs.ID, Limit: 5000})
		if err != nil {
			t.Fatal(err)
		}
		seen = map[string]int{}
		for _, r := range recs {
			seen[r.Action]++
		}
		if seen["org_role.grant"] == 0 || seen["org_role.revoke"] == 0 {
			t.Errorf("the role's grant and revocation in the account's brand: %v", seen)
		}
	})
}

// orgNamed reads an organisation as stored.
func orgNamed(t *testing.T, tenants *store.Tenants, slug string) *tenant.Organisation {
	t.Helper()
	o, err := tenants.OrgBySlug(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return o
}
