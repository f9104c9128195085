package server_test

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apitokens"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// tokenData is one patient's order, list and released lab report.
type tokenData struct {
	patient             testkit.Person
	order, list, report string
}

// seedTokenData gives a patient an order, a list and a released report.
func seedTokenData(t *testing.T, s *testkit.Server, variantID string, doc testkit.Person, manager string) tokenData {
	t.Helper()
	ctx := context.Background()
	p := s.NewPerson(t, access.RolePatient)
	pctx := access.WithActor(ctx, access.Actor{ID: p.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
	o, err := s.Services().Orders.Place(pctx, orders.PlaceRequest{TenantID: s.Tenant.ID, UserID: p.ID,
		Items: []orders.ItemRef{{VariantID: variantID, Quantity: 1}}, Address: orders.Address{Name: "Pat", Line1: "1 Main St", City: "Reno",
			Region: "CA", PostalCode: "89501"}, Shipping: "standard", Gateway: "test", Brand: "Test", BaseURL: s.URL})
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.Services().Lists.Create(pctx, s.Tenant.ID, p.ID, "Monthly")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.SeedAppointmentsFor(ctx, s.Services().Appointments, s.Clock, s.Tenant.ID, manager, doc.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	rep := hba1c(t, s, doc.ID, p.ID, 6.1)
	return tokenData{patient: p, order: o.ID, list: l.ID, report: rep.ID}
}

// bearer calls path with an API token and no cookie.
func bearer(t *testing.T, s *testkit.Server, token, path string) (int, string) {
	t.Helper()
	req := s.NewRequest(t, "GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, body := testkit.Do(t, s.Client(), req)
	return resp.StatusCode, body
}

var tokenOnPage = regexp.MustCompile(`spt_[A-Za-z0-9_-]{43}`)

// TestAPITokens: a patient makes a personal access token on
// /account/tokens (shown once, listed with its last use), uses it on
// /api/v1 in its scopes only (table-driven over every api-class route of the
// router), gets 404 for another patient's ids, and once the token is revoked
// or expired it is refused on its very next request. Reading results through
// a token is audited like the session path. An admin's service token acts
// with its staff role, which no patient route admits. Both engines.
func TestAPITokens(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		prod := &catalog.Product{Name: "Test Strips", Variants: []catalog.Variant{{SKU: "TS-50", Name: "50 strips", Price: 2499, Stock: 10}}}
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, prod); err != nil {
			t.Fatal(err)
		}
		doc := s.NewPerson(t, access.RoleClinician)
		manager := s.NewPerson(t, access.RoleStoreManager).ID
		mine := seedTokenData(t, s, prod.Variants[0].ID, doc, manager)
		theirs := seedTokenData(t, s, prod.Variants[0].ID, doc, manager)
		pc := s.ClientAs(t, mine.patient)

		// Made on the page: shown once, stored hashed, listed without it.
		resp, body := testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/tokens",
			url.Values{"name": {"Budget app"}, "scopes": {"orders:read", "lists:read", "results:read"}, "days": {"30"}}))
		all := tokenOnPage.FindString(body)
		if resp.StatusCode != 200 || all == "" {
			t.Fatalf("create: %d, token shown: %q", resp.StatusCode, all)
		}
		rec, err := s.Services().APITokens.Authenticate(ctx, s.Tenant.ID, all)
		if err != nil || string(rec.TokenHash) != string(apitokens.Hash(all)) || strings.Contains(string(rec.TokenHash), all) {
			t.Fatalf("stored: %v", err)
		}
		// Making and revoking are recorded (revocation checked below); the
		// record names neither the token nor its name.
		made := 0
		for _, r := range auditOf(t, s, "") {
			if r.Action == "api_token.create" && r.ResourceID == rec.ID && r.ActorID == mine.patient.ID {
				made++
				if strings.Contains(r.Detail, "Budget") || strings.Contains(r.Detail, all) {
					t.Errorf("audit detail %q names the token", r.Detail)
				}
			}
		}
		if made != 1 {
			t.Errorf("token creation recorded %d times", made)
		}
		// Bad input: named per field, nothing made, what was typed kept.
		resp, body = testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/tokens", url.Values{"name": {"Second app"}, "days": {"400"}}))
		if resp.StatusCode != 422 || !strings.Contains(body, "from 1 to 365") || !strings.Contains(body, "Choose at least one") ||
			!strings.Contains(body, `value="Second app"`) || tokenOnPage.MatchString(body) {
			t.Errorf("bad input: %d", resp.StatusCode)
		}
		_, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/tokens", nil))
		if strings.Contains(body, all) || !strings.Contains(body, "Budget app") || strings.Contains(body, "Second app") {
			t.Error("the list shows the token, or misses its name, or lists the refused one")
		}

		// One token per scope, made through the service.
		single := map[apitokens.Scope]string{}
		for _, sc := range apitokens.Scopes {
			c, err := s.Services().APITokens.Create(ctx, s.Tenant.ID, apitokens.KindPersonal, mine.patient.ID,
				apitokens.Request{Name: string(sc), Scopes: []string{string(sc)}, Days: "10"})
			if err != nil {
				t.Fatal(err)
			}
			single[sc] = c.Token
		}
		fill := func(pattern string, d tokenData) string {
			path := strings.SplitN(pattern, " ", 2)[1]
			switch {
			case strings.HasPrefix(path, "/api/v1/orders/"):
				return strings.Replace(path, "{id}", d.order, 1)
			case strings.HasPrefix(path, "/api/v1/results/"):
				return strings.Replace(path, "{id}", d.report, 1)
			}
			if strings.Contains(path, "{") {
				t.Fatalf("no id for %s: add it to this table", pattern)
			}
			return path
		}
		// Every api-class route: a scope, reached by its token (and the
		// all-scopes token), a 404 for every other scope; another patient's
		// ids are 404 even in scope.
		n := 0
		for _, rt := range s.Router().Routes() {
			if rt.Class != access.API {
				continue
			}
			n++
			if !slices.Contains(apitokens.Scopes, apitokens.Scope(rt.Scope)) {
				t.Errorf("%s: api route without a known scope (%q)", rt.Pattern, rt.Scope)
				continue
			}
			path := fill(rt.Pattern, mine)
			for sc, tok := range single {
				code, body := bearer(t, s, tok, path)
				want := 404
				if string(sc) == rt.Scope {
					want = 200
				}
				if code != want {
					t.Errorf("%s with %s: %d, want %d: %s", path, sc, code, want, body)
				}
			}
			if code, _ := bearer(t, s, all, path); code != 200 {
				t.Errorf("%s with every scope: %d", path, code)
			}
			if other := fill(rt.Pattern, theirs); other != path {
				if code, _ := bearer(t, s, all, other); code != 404 {
					t.Errorf("another patient's %s: %d, want 404", other, code)
				}
			}
		}
		if n < 5 {
			t.Fatalf("only %d api-class routes", n)
		}
		if code, body := bearer(t, s, all, "/api/v1/orders"); code != 200 || !strings.Contains(body, mine.order) || strings.Contains(body, theirs.order) {
			t.Errorf("orders through a token: %d %s", code, body)
		}
		if code, body := bearer(t, s, all, "/api/v1/lists"); code != 200 || !strings.Contains(body, mine.list) || strings.Contains(body, theirs.list) {
			t.Errorf("lists through a token: %d %s", code, body)
		}

		// Reading a result through a token is audited like the session path.
		reads := func() int {
			n := 0
			for _, r := range auditOf(t, s, mine.patient.ID) {
				if r.Action == "lab_report.read" && r.ActorID == mine.patient.ID {
					n++
				}
			}
			return n
		}
		before := reads()
		if code, _ := bearer(t, s, single[apitokens.ResultsRead], "/api/v1/results/"+mine.report); code != 200 || reads() != before+1 {
			t.Errorf("a result read through a token: %d, audit entries %d -> %d", code, before, reads())
		}

		// A proxy's grant is for the proxy signed in, not for their tokens:
		// the grantor's records open in the session and are 404 through the
		// proxy's personal token.
		if err := s.Services().Grants.GrantProxy(access.WithActor(ctx, access.Actor{ID: theirs.patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID}),
			mine.patient.Email, []string{"orders", "clinical"}); err != nil {
			t.Fatal(err)
		}
		s.Services().After.Wait()
		for sc, path := range map[apitokens.Scope]string{apitokens.OrdersRead: "/api/v1/orders/" + theirs.order, apitokens.ResultsRead: "/api/v1/results/" + theirs.report} {
			if resp, body := testkit.Do(t, pc, s.NewRequest(t, "GET", path, nil)); resp.StatusCode != 200 {
				t.Errorf("%s as a proxy, signed in: %d %s", path, resp.StatusCode, body)
			}
			if code, _ := bearer(t, s, single[sc], path); code != 404 {
				t.Errorf("%s through a proxy's token: %d, want 404", path, code)
			}
		}

		// Last used is shown.
		_, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/tokens", nil))
		if strings.Count(body, "Never") != 0 {
			t.Error("a used token shows as never used")
		}

		// Revoked on the page: refused on its very next request; another
		// patient cannot revoke it (404).
		oc := s.ClientAs(t, theirs.patient)
		if resp, _ := testkit.Do(t, oc, s.NewRequest(t, "POST", "/account/tokens/"+rec.ID+"/revoke", url.Values{})); resp.StatusCode != 404 {
			t.Errorf("another patient revoked it: %d", resp.StatusCode)
		}
		if code, _ := bearer(t, s, all, "/api/v1/orders"); code != 200 {
			t.Fatalf("before revocation: %d", code)
		}
		if resp, _ := testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/tokens/"+rec.ID+"/revoke", url.Values{})); resp.StatusCode != 200 {
			t.Fatalf("revoke: %d", resp.StatusCode)
		}
		revokedRec := false
		for _, r := range auditOf(t, s, "") {
			revokedRec = revokedRec || (r.Action == "api_token.revoke" && r.ResourceID == rec.ID && r.ActorID == mine.patient.ID)
		}
		if !revokedRec {
			t.Error("the revocation is not in the audit log")
		}
		if code, body := bearer(t, s, all, "/api/v1/orders"); code != 401 || !strings.Contains(body, "revoked") {
			t.Errorf("after revocation: %d %s", code, body)
		}
		// Unknown, malformed, or a device token: 401 as well.
		for _, tok := range []string{"spt_" + strings.Repeat("A", 43), "nonsense", "sdt_abc"} {
			if code, _ := bearer(t, s, tok, "/api/v1/orders"); code != 401 {
				t.Errorf("token %q: %d", tok, code)
			}
		}
		// A token reaches nothing but api-class routes: a portal page
		// treats it as no identity.
		req := s.NewRequest(t, "GET", "/account/tokens", nil)
		req.Header.Set("Authorization", "Bearer "+single[apitokens.OrdersRead])
		if resp, _ := testkit.Do(t, s.Client(), req); resp.StatusCode == 200 {
			t.Error("a token opened a portal page")
		}

		// Expired: refused from the first request after its expiry.
		if code, _ := bearer(t, s, single[apitokens.OrdersRead], "/api/v1/orders"); code != 200 {
			t.Fatalf("before expiry: %d", code)
		}
		s.Clock.Advance(10*24*time.Hour + time.Second)
		if code, _ := bearer(t, s, single[apitokens.OrdersRead], "/api/v1/orders"); code != 401 {
			t.Errorf("after expiry: %d", code)
		}

		// A disabled account's token is refused on its next request, as its
		// session is.
		theirTok, err := s.Services().APITokens.Create(ctx, s.Tenant.ID, apitokens.KindPersonal, theirs.patient.ID,
			apitokens.Request{Name: "theirs", Scopes: []string{"orders:read"}, Days: "30"})
		if err != nil {
			t.Fatal(err)
		}
		if code, _ := bearer(t, s, theirTok.Token, "/api/v1/orders"); code != 200 {
			t.Fatalf("before disabling: %d", code)
		}
		if err := store.NewUsers(s.Stores.PHI).SetStatus(ctx, s.Tenant.ID, theirs.patient.ID, accounts.StatusDisabled, "test", s.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		if code, _ := bearer(t, s, theirTok.Token, "/api/v1/orders"); code != 401 {
			t.Errorf("a disabled account's token: %d", code)
		}

		// Service tokens: admins only; made with a staff role (not admin);
		// such a token is no patient, so the patient routes answer 404.
		admin := s.ClientAs(t, s.NewPerson(t, access.RoleAdmin))
		if resp, _ := testkit.Do(t, pc, s.NewRequest(t, "GET", "/admin/tokens", nil)); resp.StatusCode == 200 {
			t.Errorf("a patient on /admin/tokens: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, body = testkit.Do(t, admin, s.NewRequest(t, "POST", "/admin/tokens",
			url.Values{"name": {"Warehouse"}, "scopes": {"orders:read"}, "days": {"30"}, "role": {"admin"}}))
		if resp.StatusCode != 422 || tokenOnPage.MatchString(body) {
			t.Errorf("an admin-role service token: %d", resp.StatusCode)
		}
		resp, body = testkit.Do(t, admin, s.NewRequest(t, "POST", "/admin/tokens",
			url.Values{"name": {"Warehouse"}, "scopes": {"orders:read"}, "days": {"30"}, "role": {string(access.RoleFulfillment)}}))
		svc := tokenOnPage.FindString(body)
		if resp.StatusCode != 200 || svc == "" {
			t.Fatalf("service token: %d", resp.StatusCode)
		}
		if code, _ := bearer(t, s, svc, "/api/v1/orders/"+mine.order); code != 404 {
			t.Errorf("a service token on a patient route: %d", code)
		}
		if resp, _ := testkit.Do(t, admin, s.NewRequest(t, "GET", "/account/tokens", nil)); resp.StatusCode != 404 {
			t.Errorf("an admin on /account/tokens: %d", resp.StatusCode)
		}
	})
}
