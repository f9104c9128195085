package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/web"
)

// brandWorld is an organisation with two brands, A (the test server's
// default tenant) and its sister B, and an unrelated tenant C of another
// organisation.
type brandWorld struct {
	s       *testkit.Server
	org     *tenant.Organisation
	a, b, c *tenant.Tenant
}

func newBrandWorld(t *testing.T, e store.Engine) brandWorld {
	t.Helper()
	ctx := context.Background()
	s := testkit.StartServer(t, e)
	tenants := store.NewTenants(s.Stores.Catalog)
	now := s.Clock.Now()
	org := &tenant.Organisation{ID: id.New(), Slug: "group", Name: "Care Group", CreatedAt: now, UpdatedAt: now}
	rival := &tenant.Organisation{ID: id.New(), Slug: "rival", Name: "Rival Group", CreatedAt: now, UpdatedAt: now}
	for _, o := range []*tenant.Organisation{org, rival} {
		if err := tenants.CreateOrg(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	a, err := tenants.ByID(ctx, s.Tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	a.OrgID = org.ID
	if err := tenants.Update(ctx, a); err != nil {
		t.Fatal(err)
	}
	for _, b := range []*tenant.Tenant{
		{ID: id.New(), Slug: "sister", Name: "Sister Brand", Hostnames: []string{"sister.test"}, OrgID: org.ID},
		{ID: id.New(), Slug: "unrelated", Name: "Unrelated Pharmacy", Hostnames: []string{"unrelated.test"}, OrgID: rival.ID},
	} {
		b.Theme, b.CreatedAt, b.UpdatedAt = tenant.DefaultTheme, now, now
		if err := tenants.Create(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Tenants().Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	w := brandWorld{s: s, org: org}
	for _, p := range []struct {
		to   **tenant.Tenant
		slug string
	}{{&w.a, s.Tenant.Slug}, {&w.b, "sister"}, {&w.c, "unrelated"}} {
		for _, bt := range append(s.Tenants().Brands(org.ID), s.Tenants().Brands(rival.ID)...) {
			if bt.Slug == p.slug {
				*p.to = bt
			}
		}
		if *p.to == nil {
			t.Fatalf("brand %s not resolved", p.slug)
		}
	}
	return w
}

// grantOrgRole gives a person of brand A an organisation role, as 'salve org
// role grant' does.
func (w brandWorld) grantOrgRole(t *testing.T, p testkit.Person, role access.Role) {
	t.Helper()
	ctx := access.WithActor(context.Background(), access.System("org-role", w.a.ID))
	if _, err := w.s.Services().Grants.GrantOrgRole(ctx, w.org.ID, w.a.ID, p.Email, role); err != nil {
		t.Fatal(err)
	}
}

// isolationPersona is one person of the isolation matrix: their own brand is
// A; orgRole is set for a staff member with an organisation role, and
// choice is the brand their switcher names ("" for none).
type isolationPersona struct {
	persona
	orgRole access.Role
	choice  string
}

// TestBrandIsolationMatrix is the isolation matrix of issue 20: every route
// × every role × brand A / sister brand B / unrelated tenant C, on both
// engines. Every person's account is of brand A. Brand roles reach only A:
// their session cookie signs nobody in at B or C, and nothing chooses another
// brand for them. Organisation roles reach exactly their organisation: with
// the switcher on B, their staff and admin requests act in B with the
// organisation role (and are admitted exactly as that role's policy says);
// a switcher naming C is ignored (they act in A with their own role); at
// B's or C's host their cookie signs nobody in either. The matrix runs over
// the router's route table, so a new route is covered without a change here.
func TestBrandIsolationMatrix(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		w := newBrandWorld(t, e)
		s := w.s
		personas := []isolationPersona{{persona: persona{name: "anonymous"}}}
		for _, r := range access.Roles {
			p := s.NewPerson(t, r)
			personas = append(personas, isolationPersona{persona: persona{name: "brand " + string(r), role: r, token: p.Token}})
			if !r.Staff() {
				continue
			}
			// The organisation role is the account's own role: what it
			// does in A it does in every brand of the organisation.
			o := s.NewPerson(t, r)
			w.grantOrgRole(t, o, r)
			for _, choice := range []*tenant.Tenant{nil, w.a, w.b, w.c} {
				ip := isolationPersona{persona: persona{name: "org " + string(r), role: r, token: o.Token}, orgRole: r}
				if choice != nil {
					ip.choice, ip.name = choice.ID, ip.name+" choosing "+choice.Slug
				}
				personas = append(personas, ip)
			}
		}
		// A brand admin whose switcher names B: a brand role's choice is
		// ignored.
		adm := s.NewPerson(t, access.RoleAdmin)
		personas = append(personas, isolationPersona{persona: persona{name: "brand admin choosing sister", role: access.RoleAdmin, token: adm.Token}, choice: w.b.ID})

		routes := s.Router().Routes()
		checked := 0
		for _, route := range routes {
			a, ok := routePolicy[route.Pattern]
			if !ok {
				t.Errorf("%s has no access policy; add it to routeClasses", route.Pattern)
				continue
			}
			if a == deviceTokens {
				continue // no session reaches them (TestSecurityMatrix)
			}
			switchable := (route.Class == access.Staff || route.Class == access.Admin) && !route.Partial
			for _, p := range personas {
				for _, target := range []*tenant.Tenant{w.a, w.b, w.c} {
					req := requestFor(route, target)
					if p.token != "" {
						req.AddCookie(&http.Cookie{Name: web.CookiePlain, Value: p.token})
					}
					if p.choice != "" {
						req.AddCookie(&http.Cookie{Name: web.BrandCookiePlain, Value: p.choice})
					}
					gr, err := s.Router().Admit(req, route)
					checked++
					name := route.Pattern + " × " + p.name + " at " + target.Slug
					// Where the person acts, and whether the policy lets them:
					// at their own brand's host with their session; anywhere
					// else nobody is signed in.
					signedIn := p.token != "" && target.ID == w.a.ID
					want := policyAllows(a, persona{role: "", token: ""})
					wantTenant := target.ID
					if signedIn {
						want = policyAllows(a, p.persona)
						if p.orgRole != "" && p.choice == w.b.ID && switchable {
							want, wantTenant = policyAllows(a, persona{role: p.orgRole}), w.b.ID
						}
					}
					switch {
					case want && err != nil:
						t.Errorf("%s: refused (%v)", name, err)
						continue
					case !want && err == nil:
						t.Errorf("%s: admitted", name)
						continue
					case !want:
						var redirect *httpx.RedirectError
						if !signedIn && !errors.As(err, &redirect) {
							t.Errorf("%s: %v, want the redirect to sign in of someone not signed in here", name, err)
						}
						if signedIn && !errors.As(err, &redirect) && !apperr.Is(err, apperr.Denied) {
							t.Errorf("%s: %v, want the denial that answers 404", name, err)
						}
						continue
					}
					// Admitted: the request's brand and actor are where the
					// person may act, never C unless C is the host they are
					// not signed in at (then nobody acts).
					if tt := tenant.FromContext(gr.Context()); tt == nil || tt.ID != wantTenant {
						t.Errorf("%s: request's brand %v, want %s", name, tt, wantTenant)
					}
					act, ok := access.ActorFrom(gr.Context())
					switch {
					case !signedIn && ok:
						t.Errorf("%s: acts as %+v without a session of this host", name, act)
					case signedIn && ok && act.TenantID != wantTenant:
						t.Errorf("%s: actor in %s, want %s", name, act.TenantID, wantTenant)
					case ok && act.TenantID == w.c.ID:
						t.Errorf("%s: an account of A acts in the unrelated tenant", name)
					}
				}
			}
		}
		if checked < len(routes)*len(personas)*2 {
			t.Fatalf("the matrix checked only %d cases", checked)
		}
	})
}

// TestBrandSwitcher: a compliance officer with an organisation role signs in
// at brand A, sees the switcher in the staff header, switches to the sister
// brand (audited in both brands' logs, with the brand it acted in) and
// works there as the organisation role; naming the unrelated tenant answers
// 404 and changes nothing; a brand-level admin has no switcher and gets the
// 404 too. After the role is revoked the choice is ignored.
func TestBrandSwitcher(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		w := newBrandWorld(t, e)
		s := w.s
		officer := s.NewPerson(t, access.RoleCompliance)
		w.grantOrgRole(t, officer, access.RoleCompliance)
		c := s.ClientAs(t, officer)
		resp, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/staff", nil))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `action="/staff/brand"`) || !strings.Contains(body, "Sister Brand") ||
			strings.Contains(body, "Unrelated Pharmacy") {
			t.Fatalf("staff home: %d, switcher missing or lists another organisation's brand:\n%s", resp.StatusCode, body)
		}
		resp, _ = testkit.Do(t, c, s.NewRequest(t, "POST", "/staff/brand", url.Values{"brand": {w.c.ID}}))
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("switch to the unrelated tenant: %d, want 404", resp.StatusCode)
		}
		resp, _ = testkit.Do(t, c, s.NewRequest(t, "POST", "/staff/brand", url.Values{"brand": {w.b.ID}}))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("switch to the sister brand: %d", resp.StatusCode)
		}
		resp, body = testkit.Do(t, c, s.NewRequest(t, "GET", "/admin/compliance/audit", nil))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Sister Brand") {
			t.Fatalf("the audit page in the sister brand: %d\n%s", resp.StatusCode, body)
		}
		if !strings.Contains(body, `selected>Sister Brand`) {
			t.Errorf("the switcher does not show the sister brand as current")
		}
		// Audited in both brands, with the brand acted in.
		for _, tid := range []string{w.a.ID, w.b.ID} {
			all, err := s.AuditLog().Find(context.Background(), audit.Query{TenantID: tid, ActorID: officer.ID, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			var recs []audit.Record
			for _, r := range all {
				if r.Action == "brand.switch" {
					recs = append(recs, r)
				}
			}
			if len(recs) != 1 || recs[0].ActorID != officer.ID || recs[0].ResourceID != w.b.ID {
				t.Errorf("brand %s: switch events %+v", tid, recs)
			}
		}
		// Back home; then the role is revoked and a kept choice is ignored.
		if resp, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/staff/brand", url.Values{"brand": {w.a.ID}})); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("switch home: %d", resp.StatusCode)
		}
		ctx := access.WithActor(context.Background(), access.System("org-role", w.a.ID))
		if err := s.Services().Grants.RevokeOrgRole(ctx, w.org.ID, w.a.ID, officer.Email); err != nil {
			t.Fatal(err)
		}
		req := s.NewRequest(t, "GET", "/staff", nil)
		req.AddCookie(&http.Cookie{Name: web.BrandCookiePlain, Value: w.b.ID})
		resp, body = testkit.Do(t, c, req)
		if resp.StatusCode != http.StatusOK || strings.Contains(body, "Sister Brand") {
			t.Errorf("after revoking: %d, still acting in or offered the sister brand", resp.StatusCode)
		}
		admin := s.NewPerson(t, access.RoleAdmin)
		resp, _ = testkit.Do(t, s.ClientAs(t, admin), s.NewRequest(t, "POST", "/staff/brand", url.Values{"brand": {w.b.ID}}))
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("a brand admin switching: %d, want 404", resp.StatusCode)
		}
	})
}
