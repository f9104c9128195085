package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/appointments"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// twoBrands puts the test server's tenant into a new organisation and adds a
// sister brand (host travel.test) to it; set sets a value at an
// organisation or brand, reset removes it, and both reload the resolver as
// its interval would.
func twoBrands(t *testing.T, s *testkit.Server) (org *tenant.Organisation, travel *tenant.Tenant, set func(owner, key, value string), reset func(owner, key string)) {
	t.Helper()
	ctx := context.Background()
	tenants := store.NewTenants(s.Stores.Catalog)
	now := s.Clock.Now()
	org = &tenant.Organisation{ID: id.New(), Slug: "group", Name: "Care Group", CreatedAt: now, UpdatedAt: now}
	if err := tenants.CreateOrg(ctx, org); err != nil {
		t.Fatal(err)
	}
	home, err := tenants.ByID(ctx, s.Tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	home.OrgID = org.ID
	if err := tenants.Update(ctx, home); err != nil {
		t.Fatal(err)
	}
	travel = &tenant.Tenant{ID: id.New(), Slug: "travel", Name: "Travel Clinic", Hostnames: []string{"travel.test"}, Theme: tenant.DefaultTheme,
		OrgID: org.ID, CreatedAt: now, UpdatedAt: now}
	if err := tenants.Create(ctx, travel); err != nil {
		t.Fatal(err)
	}
	reload := func() {
		t.Helper()
		if err := s.Tenants().Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	set = func(owner, key, value string) {
		t.Helper()
		if err := tenants.SetSetting(ctx, owner, key, value, s.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		reload()
	}
	reset = func(owner, key string) {
		t.Helper()
		if err := tenants.ResetSetting(ctx, owner, key, s.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		reload()
	}
	reload()
	return org, travel, set, reset
}

// TestLegalPagesInherit: on each engine, the organisation's notice of
// privacy practices shows at /legal/privacy on both brands, rendered
// safely (no HTML from the text reaches the page), linked from every
// page's footer; the brand that overrides it keeps its own when the
// organisation changes, the inheriting brand follows; a reset brings the
// override back to inheriting. A page nobody set says so; an unknown page
// is the plain 404; the returns policy is linked only once set. The store
// manager edits it in a text area on /admin/brand.
func TestLegalPagesInherit(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		org, travel, set, reset := twoBrands(t, s)
		page := func(host, path string) (int, string) {
			t.Helper()
			req := s.NewRequest(t, "GET", path, nil)
			if host != "" {
				req.Host = host
			}
			r, body := get(t, s.Client(), req)
			return r.StatusCode, body
		}
		if code, body := page("", "/legal/terms"); code != 200 || !strings.Contains(body, "has not published this page yet") {
			t.Fatalf("terms nobody set: %d", code)
		}
		if code, _ := page("", "/legal/no-such-page"); code != 404 {
			t.Fatalf("an unknown legal page: %d", code)
		}
		set(org.ID, tenant.SetLegalPrivacy, "## How we use your information\n\nWe **protect** it.\n\n<script>alert(1)</script> [more](javascript:alert(2))")
		set(travel.ID, tenant.SetLegalPrivacy, "The travel clinic's own notice.")
		code, body := page("", "/legal/privacy")
		if code != 200 || !strings.Contains(body, "<h3>How we use your information</h3>") || !strings.Contains(body, "We <strong>protect</strong> it.") {
			t.Fatalf("the inheriting brand's notice: %d\n%s", code, body)
		}
		if strings.Contains(body, "<script>alert") || strings.Contains(body, `href="javascript:`) || !strings.Contains(body, "&lt;script&gt;") {
			t.Fatal("HTML or a javascript: link from the notice reached the page")
		}
		if _, body := page("travel.test", "/legal/privacy"); !strings.Contains(body, "The travel clinic&#39;s own notice.") {
			t.Fatalf("the overriding brand's notice:\n%s", body)
		}
		for _, p := range []string{"/", "/products", "/login", "/no-such-page"} {
			if _, body := page("", p); !strings.Contains(body, `href="/legal/privacy"`) || !strings.Contains(body, `href="/legal/terms"`) || strings.Contains(body, `href="/legal/returns"`) {
				t.Errorf("%s: the footer does not link the notice and the terms (or links a returns policy nobody set)", p)
			}
		}
		// The organisation changes its notice: the inheriting brand follows,
		// the overriding one keeps its own.
		set(org.ID, tenant.SetLegalPrivacy, "The group's second notice.")
		if _, body := page("", "/legal/privacy"); !strings.Contains(body, "The group&#39;s second notice.") {
			t.Fatal("the organisation's change did not reach the inheriting brand")
		}
		if _, body := page("travel.test", "/legal/privacy"); !strings.Contains(body, "own notice") {
			t.Fatal("the organisation's change replaced the overriding brand's notice")
		}
		reset(travel.ID, tenant.SetLegalPrivacy)
		if _, body := page("travel.test", "/legal/privacy"); !strings.Contains(body, "second notice") {
			t.Fatal("after the reset the brand does not inherit")
		}
		set(org.ID, tenant.SetLegalReturns, "Unopened items within 30 days.")
		if _, body := page("travel.test", "/"); !strings.Contains(body, `href="/legal/returns"`) {
			t.Fatal("a returns policy set at the organisation is not linked")
		}
		// The store manager's page edits it in a text area.
		mgr := s.ClientAs(t, s.NewPerson(t, access.RoleStoreManager))
		if r, body := get(t, mgr, s.NewRequest(t, "GET", "/admin/brand", nil)); r.StatusCode != 200 || !strings.Contains(body, `<textarea id="v-legal_terms"`) {
			t.Fatalf("the brand page: %d, no text area for the terms", r.StatusCode)
		}
		if r, _ := get(t, mgr, s.NewRequest(t, "POST", "/admin/brand/legal_terms", url.Values{"value": {"Our terms.\r\n\r\nSecond paragraph."}})); r.StatusCode != 303 && r.StatusCode != 200 {
			t.Fatalf("saving the terms: %d", r.StatusCode)
		}
		if _, body := page("", "/legal/terms"); !strings.Contains(body, "<p>Second paragraph.</p>") {
			t.Fatalf("the terms saved on the brand page do not show:\n%s", body)
		}
	})
}

// TestBrandPoliciesInherit: on each engine, each policy set at the
// organisation takes effect where it is used in the brand that inherits
// it, and not in the brand that overrides it; a reset restores
// inheritance. The cancellation window decides whether a patient may still
// cancel; the release delay when a held lab result reaches the patient;
// the gateways which ways to pay checkout offers and takes; the session
// lengths when a staff session ends, and a brand's own session length
// cannot be set on the brand page (it needs an approved request).
func TestBrandPoliciesInherit(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e, func(c *config.Config) {
			c.PaymentGateways, c.AllowTestPayments = []string{"invoice", "test"}, true
		})
		ctx := context.Background()
		org, travel, set, reset := twoBrands(t, s)
		svc := s.Services()
		home := s.Tenant.ID

		// The cancellation window, as the appointments service applies it.
		set(org.ID, tenant.SetCancelWindowHours, "48")
		set(travel.ID, tenant.SetCancelWindowHours, "2")
		window := func(tid string) time.Duration {
			t.Helper()
			d, err := svc.Appointments.CancelWindow(ctx, tid)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		if window(home) != 48*time.Hour || window(travel.ID) != 2*time.Hour {
			t.Fatalf("windows: %v and %v, want 48h inherited and 2h own", window(home), window(travel.ID))
		}
		if bookAndCancel(t, s, 30*time.Hour) {
			t.Fatal("a cancellation 30 hours ahead was taken inside the inherited 48-hour window")
		}
		reset(org.ID, tenant.SetCancelWindowHours)
		if window(home) != 24*time.Hour || window(travel.ID) != 2*time.Hour {
			t.Fatalf("after the organisation's reset: %v and %v", window(home), window(travel.ID))
		}
		if !bookAndCancel(t, s, 30*time.Hour) {
			t.Fatal("a cancellation 30 hours ahead was refused under the default 24-hour window")
		}

		// The release delay, as the labs service applies it.
		set(org.ID, tenant.SetResultReleaseHours, "24")
		patient := s.NewPerson(t, access.RolePatient)
		doc := s.NewPerson(t, access.RoleClinician)
		giveCare(t, s, s.Tenant, doc.ID, patient.ID)
		dctx := access.WithActor(ctx, access.Actor{ID: doc.ID, Role: access.RoleClinician, TenantID: home})
		rid, err := svc.Labs.Enter(dctx, home, labs.Entry{PatientID: patient.ID, Panel: "HbA1c", CollectedAt: s.Clock.Now(),
			Observations: []labs.Observation{{LOINC: "4548-4", Name: "Hemoglobin A1c", Value: 5.2, Unit: "%"}}})
		if err != nil {
			t.Fatal(err)
		}
		pctx := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: home})
		s.Clock.Advance(23 * time.Hour)
		if _, err := svc.Labs.ReleaseDue(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Labs.Get(pctx, home, rid); err == nil {
			t.Fatal("released before the inherited 24 hours")
		}
		s.Clock.Advance(2 * time.Hour)
		if n, err := svc.Labs.ReleaseDue(ctx); err != nil || n != 1 {
			t.Fatalf("release due: %d %v", n, err)
		}
		if _, err := svc.Labs.Get(pctx, home, rid); err != nil {
			t.Fatalf("not released after the inherited delay: %v", err)
		}
		if d, err := svc.Labs.ReleaseDelay(ctx, travel.ID); err != nil || d != 24*time.Hour {
			t.Fatalf("the sister brand's delay: %v %v", d, err)
		}
		set(travel.ID, tenant.SetResultReleaseHours, "0")
		if d, _ := svc.Labs.ReleaseDelay(ctx, travel.ID); d != 0 {
			t.Fatalf("the override: %v", d)
		}

		// The gateways: the organisation offers only invoices; the sister
		// brand overrides with the test gateway.
		set(org.ID, tenant.SetPaymentGateways, "invoice")
		set(travel.ID, tenant.SetPaymentGateways, "test")
		names := func(tid string) string {
			var out []string
			for _, g := range svc.Orders.GatewaysFor(ctx, tid) {
				out = append(out, g.Name())
			}
			return strings.Join(out, ",")
		}
		if names(home) != "invoice" || names(travel.ID) != "test" {
			t.Fatalf("gateways: %q and %q", names(home), names(travel.ID))
		}
		buyer := s.NewPerson(t, access.RolePatient)
		bc := s.ClientAs(t, buyer)
		addToCart(t, s, bc, 1)
		if r, body := get(t, bc, s.NewRequest(t, "GET", "/checkout", nil)); r.StatusCode != 200 || !strings.Contains(body, `value="invoice"`) || strings.Contains(body, `value="test"`) {
			t.Fatalf("checkout offers other gateways than the inherited invoice: %d", r.StatusCode)
		}
		if r, body := get(t, bc, s.NewRequest(t, "POST", "/checkout", checkoutForm("test"))); r.StatusCode == 200 || !strings.Contains(body, "Choose how to pay") {
			t.Fatalf("checkout took a gateway the brand does not offer: %d", r.StatusCode)
		}
		reset(org.ID, tenant.SetPaymentGateways)
		if names(home) != "invoice,test" {
			t.Fatalf("after the reset: %q", names(home))
		}

		// Session lengths: the organisation shortens staff sessions to 5
		// idle minutes; the brand inherits it at once.
		staff := s.ClientAs(t, s.NewPerson(t, access.RoleStoreManager))
		if r, body := get(t, staff, s.NewRequest(t, "POST", "/admin/brand/staff_idle_minutes", url.Values{"value": {"600"}})); r.StatusCode != 400 || !strings.Contains(body, "approved request") {
			t.Fatalf("a brand's session length set without approval: %d", r.StatusCode)
		}
		set(org.ID, tenant.SetStaffIdleMinutes, "5")
		svc.SignIn.ForgetLimits(home)
		s.Clock.Advance(4 * time.Minute)
		if r, _ := get(t, staff, s.NewRequest(t, "GET", "/admin/brand", nil)); r.StatusCode != 200 {
			t.Fatalf("4 idle minutes: %d", r.StatusCode)
		}
		s.Clock.Advance(6 * time.Minute)
		if r, _ := get(t, staff, s.NewRequest(t, "GET", "/admin/brand", nil)); r.StatusCode == 200 {
			t.Fatal("a staff session idle 6 minutes outlived the organisation's 5")
		}
		if p := svc.SignIn.PolicyFor(ctx, travel.ID); p.StaffIdle != 5*time.Minute {
			t.Fatalf("the sister brand's staff idle limit: %v", p.StaffIdle)
		}
	})
}

// bookAndCancel books, for a new patient of the test server's tenant, the
// first free slot at least ahead from now, and reports whether the patient
// may then cancel it (the brand's cancellation window decides). The
// clinician works every day around the clock in UTC.
func bookAndCancel(t *testing.T, s *testkit.Server, ahead time.Duration) bool {
	t.Helper()
	ctx := context.Background()
	svc, tid := s.Services().Appointments, s.Tenant.ID
	mgr := access.WithActor(ctx, access.Actor{ID: s.NewPerson(t, access.RoleStoreManager).ID, Role: access.RoleStoreManager, TenantID: tid})
	doc := s.NewPerson(t, access.RoleClinician)
	dctx := access.WithActor(ctx, access.Actor{ID: doc.ID, Role: access.RoleClinician, TenantID: tid})
	loc, err := svc.AddLocation(mgr, tid, "Main Street "+id.New()[24:], "1 Main Street, Springfield", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	typ, err := svc.AddType(mgr, tid, appointments.TypeInput{Name: "Review " + id.New()[24:], Duration: "30", Mode: "in_person", Price: "45"})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SetDisplayName(dctx, tid, "Dr Rivera"); err != nil {
		t.Fatal(err)
	}
	for wd := range 7 {
		if err := svc.AddHours(dctx, tid, loc.ID, strconv.Itoa(wd), "00:00", "23:30"); err != nil {
			t.Fatal(err)
		}
	}
	patient := s.NewPerson(t, access.RolePatient)
	pctx := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: tid})
	_, slots, err := svc.Slots(pctx, tid, typ.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, sl := range slots {
		if sl.ClinicianID != doc.ID || sl.Start.Before(s.Clock.Now().Add(ahead)) {
			continue
		}
		a, err := svc.Book(pctx, tid, patient.ID, appointments.Booking{TypeID: typ.ID, ClinicianID: doc.ID, LocationID: loc.ID, Start: sl.Start, Reason: "review"})
		if err != nil {
			t.Fatal(err)
		}
		return svc.Cancel(pctx, tid, patient.ID, a.ID) == nil
	}
	t.Fatalf("no slot %v ahead", ahead)
	return false
}

// addToCart adds a new product to a client's cart.
func addToCart(t *testing.T, s *testkit.Server, c *http.Client, qty int) {
	t.Helper()
	p := &catalog.Product{Name: "Test strips " + id.New()[24:], Variants: []catalog.Variant{{SKU: "TS-" + id.New()[24:], Price: 1500, Stock: 50}}}
	if err := s.Catalog().SaveProduct(context.Background(), s.Tenant.ID, p); err != nil {
		t.Fatal(err)
	}
	if r, _ := get(t, c, s.NewRequest(t, "POST", "/cart/items", url.Values{"variant": {p.Variants[0].ID}, "quantity": {strconv.Itoa(qty)}})); r.StatusCode >= 400 {
		t.Fatalf("add to cart: %d", r.StatusCode)
	}
}

// checkoutForm is a complete checkout form paying with gateway.
func checkoutForm(gateway string) url.Values {
	return url.Values{"gateway": {gateway}, "name": {"Pat Doe"}, "line1": {"12 Quince Lane"}, "city": {"Springfield"},
		"region": {"NY"}, "postal_code": {"10001"}, "shipping": {"standard"}}
}
