package portal_test

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/orders"
	dash "github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// widgetOrder is the keys of the widgets a dashboard page shows, in order.
func widgetOrder(page string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`data-widget="([a-z_]+)"`).FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestDashboardArrangement: a new patient sees every widget in the built-in
// order, each with its empty state; they move, hide, restore and reorder
// widgets, and the arrangement is theirs after signing out and back in;
// bad input changes nothing.
func TestDashboardArrangement(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		patient := s.NewPerson(t, access.RolePatient)
		c := s.ClientAs(t, patient)
		get := func() []string {
			t.Helper()
			r, page := testkit.Do(t, c, s.NewRequest(t, "GET", "/account", nil))
			if r.StatusCode != 200 || r.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("dashboard: %d %q", r.StatusCode, r.Header.Get("Cache-Control"))
			}
			return widgetOrder(page)
		}
		post := func(path string, v url.Values) int {
			t.Helper()
			r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", path, v))
			return r.StatusCode
		}
		_, page := testkit.Do(t, c, s.NewRequest(t, "GET", "/account", nil))
		if got := widgetOrder(page); !slices.Equal(got, dash.Keys()) {
			t.Fatalf("default order: %v", got)
		}
		// Every widget without anything to show says what to do next.
		for _, want := range []string{"No lab results yet — they appear here when your clinic releases them.", "No open orders — browse the shop",
			"No prescriptions yet", "No upcoming appointments", "Nothing to pay", "No messages", "No device readings yet", "No lists yet",
			"No offer right now", "Add your date of birth", "So the pharmacy can match your prescriptions.", "href=\"/account/profile\"", "href=\"/account/security\"", "href=\"/account/proxies\""} {
			if !strings.Contains(page, want) {
				t.Errorf("the new patient's dashboard lacks %q", want)
			}
		}

		if code := post("/account/dashboard/lab_results/move", url.Values{"dir": {"up"}}); code != 303 {
			t.Fatalf("move up: %d", code)
		}
		if code := post("/account/dashboard/open_orders/move", url.Values{"dir": {"down"}}); code != 303 {
			t.Fatalf("move down: %d", code)
		}
		if code := post("/account/dashboard/devices/hide", nil); code != 303 {
			t.Fatalf("hide: %d", code)
		}
		want := []string{"past_orders", "open_orders", "lab_results", "appointments", "prescriptions", "billing", "messages", "lists", "profile", "offer"}
		if got := get(); !slices.Equal(got, want) {
			t.Fatalf("after move and hide: %v", got)
		}
		// Bad input: nothing changes.
		for _, bad := range []struct {
			path string
			v    url.Values
		}{
			{"/account/dashboard/no_such/hide", nil},
			{"/account/dashboard/lists/move", url.Values{"dir": {"sideways"}}},
			{"/account/dashboard/order", url.Values{"order": {"lists,profile"}}},
			{"/account/dashboard/order", url.Values{"order": {strings.Join(append(slices.Clone(want), "devices"), ",")}}},
		} {
			if code := post(bad.path, bad.v); code != 400 && code != 422 {
				t.Errorf("%s %v: %d, want a clear error", bad.path, bad.v, code)
			}
		}
		if got := get(); !slices.Equal(got, want) {
			t.Fatalf("bad input changed the order: %v", got)
		}
		// Drag and drop posts the whole new order (htmx: 204).
		reordered := append([]string{"offer"}, want[:len(want)-1]...)
		req := s.NewRequest(t, "POST", "/account/dashboard/order", url.Values{"order": {strings.Join(reordered, ",")}})
		req.Header.Set("HX-Request", "true")
		if r, _ := testkit.Do(t, c, req); r.StatusCode != 204 {
			t.Fatalf("reorder: %d", r.StatusCode)
		}
		if code := post("/account/dashboard/devices/restore", nil); code != 303 {
			t.Fatalf("restore: %d", code)
		}
		want = append(reordered, "devices")
		// Signed out and in again: the same dashboard.
		if code := post("/logout", nil); code != 303 {
			t.Fatalf("logout: %d", code)
		}
		tok, _, err := s.Services().SignIn.Login(context.Background(), s.Tenant, signin.Attempt{Email: patient.Email, Password: patient.Password,
			ClientIP: "127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		c = s.ClientAs(t, testkit.Person{Token: tok})
		if got := get(); !slices.Equal(got, want) {
			t.Fatalf("after signing in again: %v, want %v", got, want)
		}
		// Another patient's dashboard is untouched by all this.
		c = s.ClientAs(t, s.NewPerson(t, access.RolePatient))
		if got := get(); !slices.Equal(got, dash.Keys()) {
			t.Fatalf("another patient's order changed: %v", got)
		}
	})
}

// TestDashboardProxy: a carer granted some classes sees only those widgets
// of the patient they act for (never the patient's lists, profile or
// offer), under an "acting for" banner with a switcher, and cannot arrange
// the patient's dashboard. A source's denial leaves its widget out; its
// failure fails the page.
func TestDashboardProxy(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		patient := s.NewPerson(t, access.RolePatient)
		carer := s.NewPerson(t, access.RolePatient)
		pctx := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		if err := s.Services().Grants.GrantProxy(pctx, carer.Email, []string{"orders", "clinical"}); err != nil {
			t.Fatal(err)
		}
		s.Services().After.Wait() // the grant is made after the answer
		cc := s.ClientAs(t, carer)
		// The carer's own dashboard offers the switch.
		_, own := testkit.Do(t, cc, s.NewRequest(t, "GET", "/account", nil))
		if !strings.Contains(own, `href="/account/for/`+patient.ID+`"`) || !strings.Contains(own, patient.Email) {
			t.Fatalf("no switcher to the patient the carer acts for:\n%s", own)
		}
		r, page := testkit.Do(t, cc, s.NewRequest(t, "GET", "/account/for/"+patient.ID, nil))
		if r.StatusCode != 200 || !strings.Contains(page, "Acting for "+patient.Email) {
			t.Fatalf("proxy view: %d", r.StatusCode)
		}
		if got, want := widgetOrder(page), []string{"open_orders", "past_orders", "appointments", "lab_results"}; !slices.Equal(got, want) {
			t.Fatalf("the proxy sees %v, want only the granted classes %v", got, want)
		}
		if strings.Contains(page, "/account/dashboard/") || strings.Contains(page, "draggable") {
			t.Fatal("the proxy view offers to arrange the patient's dashboard")
		}
		// A source that denies is left out; one that fails fails the page.
		s.Services().Sources[dash.WidgetLabs] = dash.SourceFunc(func(context.Context, string, string) (dash.Summary, error) {
			return dash.Summary{}, apperr.NotFoundError()
		})
		_, page = testkit.Do(t, cc, s.NewRequest(t, "GET", "/account/for/"+patient.ID, nil))
		if got := widgetOrder(page); slices.Contains(got, "lab_results") || !slices.Contains(got, "appointments") {
			t.Fatalf("a denying source's widget is shown: %v", got)
		}
		s.Services().Sources[dash.WidgetLabs] = dash.SourceFunc(func(context.Context, string, string) (dash.Summary, error) {
			return dash.Summary{}, errors.New("the audit store is down")
		})
		if r, body := testkit.Do(t, cc, s.NewRequest(t, "GET", "/account/for/"+patient.ID, nil)); r.StatusCode != 500 || strings.Contains(body, "Acting for") {
			t.Fatalf("a failing source: %d", r.StatusCode)
		}
		// A source's lines are shown, at most dash.MaxLines, with the badge
		// and action it gives.
		s.Services().Sources[dash.WidgetLabs] = dash.SourceFunc(func(_ context.Context, _, pid string) (dash.Summary, error) {
			var sum dash.Summary
			for i := range 7 {
				sum.Lines = append(sum.Lines, dash.Line{Title: "Lipid panel " + string(rune('A'+i)), Href: "/account/labs/" + pid, Badge: "New", Tone: dash.ToneBad})
			}
			sum.Total, sum.Note = 7, "7 new"
			return sum, nil
		})
		_, page = testkit.Do(t, cc, s.NewRequest(t, "GET", "/account/for/"+patient.ID, nil))
		if strings.Count(page, "Lipid panel") != dash.MaxLines || !strings.Contains(page, "7 new") || !strings.Contains(page, "tone-bad") ||
			!strings.Contains(page, "5 of 7 shown") {
			t.Fatal("a source's summary is not shown as given")
		}
		// Arranging is the viewer's own: the carer's posts change their own
		// dashboard, never the patient's.
		if r, _ := testkit.Do(t, cc, s.NewRequest(t, "POST", "/account/dashboard/appointments/hide", nil)); r.StatusCode != 303 {
			t.Fatalf("carer hides on their own dashboard: %d", r.StatusCode)
		}
		_, pp := testkit.Do(t, s.ClientAs(t, patient), s.NewRequest(t, "GET", "/account", nil))
		if !slices.Contains(widgetOrder(pp), "appointments") {
			t.Fatal("the carer's hide changed the patient's dashboard")
		}
		// Revoked: the same 404 as any other id.
		_, grants := testkit.Do(t, s.ClientAs(t, patient), s.NewRequest(t, "GET", "/account/proxies", nil))
		m := regexp.MustCompile(`name="grant" value="([0-9a-f-]{36})"`).FindStringSubmatch(grants)
		if m == nil {
			t.Fatal("no grant to revoke")
		}
		if r, _ := testkit.Do(t, s.ClientAs(t, patient), s.NewRequest(t, "POST", "/account/proxies/revoke", url.Values{"grant": {m[1]}})); r.StatusCode != 200 {
			t.Fatalf("revoke: %d", r.StatusCode)
		}
		if r, _ := testkit.Do(t, cc, s.NewRequest(t, "GET", "/account/for/"+patient.ID, nil)); r.StatusCode != 404 {
			t.Fatalf("after revoking: %d", r.StatusCode)
		}
		if r, _ := testkit.Do(t, cc, s.NewRequest(t, "GET", "/account/for/"+id.New(), nil)); r.StatusCode != 404 {
			t.Fatalf("made-up id: %d", r.StatusCode)
		}
	})
}

// TestDashboardCost: one view of a dashboard costs the same number of SQL
// statements and audit events whether the patient has one order or many
// (one statement per table read, never one per row), within one statement
// per widget plus the session's; and one audit event per data class read.
func TestDashboardCost(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		p := &catalog.Product{Name: "Test Strips", Variants: []catalog.Variant{{SKU: "TS-" + id.New()[24:], Price: 1500, Stock: 1000,
			PriceBreaks: []catalog.PriceBreak{{MinQuantity: 3, UnitPrice: 1200}}}}}
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
			t.Fatal(err)
		}
		patient := s.NewPerson(t, access.RolePatient)
		c := s.ClientAs(t, patient)
		order := func() {
			t.Helper()
			testkit.Do(t, c, s.NewRequest(t, "POST", "/cart/items", url.Values{"variant": {p.Variants[0].ID}, "quantity": {"1"}}))
			r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/checkout/pay", url.Values{"gateway": {"invoice"}, "name": {"Pat Doe"},
				"line1": {"12 Quince Lane"}, "city": {"Springfield"}, "region": {"NY"}, "postal_code": {"10001"}, "shipping": {"standard"}}))
			if r.StatusCode != 303 {
				t.Fatalf("order: %d", r.StatusCode)
			}
		}
		statements := func() uint64 { return s.Stores.Catalog.Statements() + s.Stores.PHI.Statements() }
		view := func() (stmts uint64, events int64, page string) {
			t.Helper()
			testkit.Do(t, c, s.NewRequest(t, "GET", "/account", nil)) // warm: the tenant and session caches
			_, ev0 := s.AuditLog().Stats()
			n0 := statements()
			c0, p0, a0 := s.Stores.Catalog.Statements(), s.Stores.PHI.Statements(), s.Stores.Audit.Statements()
			defer func() {
				t.Logf("catalog %d phi %d audit %d", s.Stores.Catalog.Statements()-c0, s.Stores.PHI.Statements()-p0, s.Stores.Audit.Statements()-a0)
			}()
			r, page := testkit.Do(t, c, s.NewRequest(t, "GET", "/account", nil))
			if r.StatusCode != 200 {
				t.Fatalf("dashboard: %d", r.StatusCode)
			}
			_, ev1 := s.AuditLog().Stats()
			return statements() - n0, ev1 - ev0, page
		}
		order()
		one, oneEvents, page := view()
		if !strings.Contains(page, "Test Strips: buy 3, pay less") {
			t.Fatal("no offer on a product bought before with a price break")
		}
		for range 24 {
			order()
		}
		many, manyEvents, page := view()
		if !strings.Contains(page, "25 under way") || strings.Count(page, "Order ") < dash.MaxLines {
			t.Fatal("the open orders widget does not show the 25 orders")
		}
		t.Logf("%s: one dashboard view: %d statements, %d audit events (1 order); %d statements, %d audit events (25 orders)",
			e, one, oneEvents, many, manyEvents)
		// Session (look-up and touch), the layout and default, the proxies
		// the patient may act for, then at most one per widget.
		// (The audit store's statements are the audit events' cost,
		// bounded below.)
		// Secure messaging (issue 16): the messages widget got a source,
		// one statement (the patient's threads); before it the total was
		// already at 4 + one per widget, the widgets without a source
		// (billing, devices) leaving room for those that read two tables.
		// Issue 15's speed budget (h1): the widgets' vault accesses share
		// the patient's key row (phi.KeyMemo), so the view now costs 14
		// here (session and user, proxies, layout, the sources, one key
		// row): the bound is what was reached, two under the old one.
		// Issue 15 again (h6): the session and its account's row are one
		// read (signin.Sessions.WithUser): 12 here, and the bound is again
		// what was reached.
		// Issue 15 (h1, again): the offer reads its products from the
		// catalog's memory at the current version, so the catalog store
		// is not read once they were loaded: 11 here, the new bound.
		// Issue 15 (h1, a third time): the session's lookup reads, in its
		// own statement, whom the viewer may act for, their layout, their
		// marketing authorization and their data key's row
		// (signin.Extras), so the dashboard runs none of those four: 8
		// here, the new bound.
		if budget := uint64(len(dash.Widgets()) - 3); many != one || many > budget {
			t.Errorf("statements per view: %d with 1 order, %d with 25 (budget %d, the same for both)", one, many, budget)
		}
		// One audited access per data class read: orders (both order
		// widgets and the offer share one), lists, the profile.
		if manyEvents != oneEvents || manyEvents > 3 {
			t.Errorf("audit events per view: %d with 1 order, %d with 25 (want at most 3, one per class)", oneEvents, manyEvents)
		}
		recs, err := s.AuditLog().Find(ctx, audit.Query{TenantID: s.Tenant.ID, Subject: patient.ID, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range recs {
			if r.Action == "order.list" {
				n++
			}
		}
		if n != 4 { // two views each in view(), twice
			t.Errorf("order.list events: %d, want one per dashboard view (4)", n)
		}
	})
}

// TestInsights: widget opens are counted per tenant, widget and day with no
// person in them; a store manager sees counts of 10 or more only; a new
// patient's dashboard follows the counts until a store manager pins an
// order; a bad pin changes nothing.
func TestInsights(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		patient := s.NewPerson(t, access.RolePatient)
		c := s.ClientAs(t, patient)
		for range 12 {
			r, _ := testkit.Do(t, c, s.NewRequest(t, "GET", "/account/widgets/lists", nil))
			if r.StatusCode != 303 || r.Header.Get("Location") != "/account/lists" {
				t.Fatalf("open a widget: %d %s", r.StatusCode, r.Header.Get("Location"))
			}
		}
		for range 9 {
			testkit.Do(t, c, s.NewRequest(t, "GET", "/account/widgets/past_orders", nil))
		}
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "GET", "/account/widgets/no_such", nil)); r.StatusCode != 404 {
			t.Fatalf("unknown widget: %d", r.StatusCode)
		}
		if err := s.Services().Portal.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		// Nothing about anyone is stored with the counts.
		var cols int
		if err := s.Stores.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT COUNT(*) FROM widget_opens WHERE opens > 0`).Scan(&cols); err != nil || cols != 2 {
			t.Fatalf("widget_opens rows: %d %v", cols, err)
		}
		// A new patient's default: the widget opened 12 times first; 9 is
		// below the threshold and counts as none.
		fresh := s.ClientAs(t, s.NewPerson(t, access.RolePatient))
		_, page := testkit.Do(t, fresh, s.NewRequest(t, "GET", "/account", nil))
		if got := widgetOrder(page); got[0] != "lists" || got[1] != "open_orders" || got[2] != "past_orders" {
			t.Fatalf("default order by counts: %v", got)
		}

		mgr := s.ClientAs(t, s.NewPerson(t, access.RoleStoreManager))
		r, page := testkit.Do(t, mgr, s.NewRequest(t, "GET", "/admin/insights", nil))
		if r.StatusCode != 200 {
			t.Fatalf("insights: %d", r.StatusCode)
		}
		row := func(label string) string {
			return regexp.MustCompile(`<tr><td>` + regexp.QuoteMeta(label) + `</td>(.*?)</tr>`).FindStringSubmatch(page)[1]
		}
		if got := row("Lists"); !strings.Contains(got, "<td>12</td><td>12</td>") {
			t.Errorf("lists row: %s", got)
		}
		if got := row("Past orders"); strings.Contains(got, "9") || !strings.Contains(got, "fewer than 10") {
			t.Errorf("a count below 10 is shown: %s", got)
		}
		// Patients never see it.
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "GET", "/admin/insights", nil)); r.StatusCode != 404 {
			t.Fatalf("patient on insights: %d", r.StatusCode)
		}

		// Pin: offer first, then the rest in the built-in order.
		pin := url.Values{}
		for i, k := range dash.Keys() {
			pos := i + 2
			if k == dash.WidgetOffer {
				pos = 1
			}
			pin.Set("pos_"+k, itoa(pos))
		}
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/account/dashboard/offer/move", url.Values{"dir": {"down"}})); r.StatusCode != 303 {
			t.Fatalf("arrange: %d", r.StatusCode)
		}
		bad := url.Values{}
		for k, v := range pin {
			bad[k] = v
		}
		bad.Set("pos_lists", "1") // twice first
		if r, _ := testkit.Do(t, mgr, s.NewRequest(t, "POST", "/admin/insights/pin", bad)); r.StatusCode != 400 {
			t.Fatalf("bad pin: %d", r.StatusCode)
		}
		_, page = testkit.Do(t, fresh, s.NewRequest(t, "GET", "/account", nil))
		if got := widgetOrder(page); got[0] != "lists" {
			t.Fatalf("a bad pin changed the default: %v", got)
		}
		if r, _ := testkit.Do(t, mgr, s.NewRequest(t, "POST", "/admin/insights/pin", pin)); r.StatusCode != 303 {
			t.Fatalf("pin: %d", r.StatusCode)
		}
		_, page = testkit.Do(t, fresh, s.NewRequest(t, "GET", "/account", nil))
		if got := widgetOrder(page); got[0] != "offer" || got[1] != "open_orders" {
			t.Fatalf("pinned default: %v", got)
		}
		// Someone who arranged their own dashboard (before the pin) keeps it.
		_, page = testkit.Do(t, c, s.NewRequest(t, "GET", "/account", nil))
		if got := widgetOrder(page); got[0] != "lists" || got[len(got)-1] != "offer" {
			t.Fatalf("a pinned default overrode a person's own arrangement: %v", got)
		}
		if r, _ := testkit.Do(t, mgr, s.NewRequest(t, "POST", "/admin/insights/unpin", nil)); r.StatusCode != 303 {
			t.Fatalf("unpin: %d", r.StatusCode)
		}
		_, page = testkit.Do(t, fresh, s.NewRequest(t, "GET", "/account", nil))
		if got := widgetOrder(page); got[0] != "lists" {
			t.Fatalf("after unpinning: %v", got)
		}
	})
}

func itoa(n int) string { return strings.TrimLeft(string(rune('0'+n/10))+string(rune('0'+n%10)), "0") }

// TestPastOrderReorder: a delivered order moves from open to past orders
// with a Reorder form that fills the cart; a proxy sees it without one.
func TestPastOrderReorder(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		p := &catalog.Product{Name: "Lancets", Variants: []catalog.Variant{{SKU: "LN-" + id.New()[24:], Price: 900, Stock: 50}}}
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
			t.Fatal(err)
		}
		patient := s.NewPerson(t, access.RolePatient)
		c := s.ClientAs(t, patient)
		testkit.Do(t, c, s.NewRequest(t, "POST", "/cart/items", url.Values{"variant": {p.Variants[0].ID}, "quantity": {"2"}}))
		r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/checkout/pay", url.Values{"gateway": {"invoice"}, "name": {"Pat Doe"},
			"line1": {"12 Quince Lane"}, "city": {"Springfield"}, "region": {"NY"}, "postal_code": {"10001"}, "shipping": {"standard"}}))
		orderID := strings.TrimPrefix(r.Header.Get("Location"), "/account/orders/")
		if !id.Valid(orderID) {
			t.Fatalf("order: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		_, page := testkit.Do(t, c, s.NewRequest(t, "GET", "/account", nil))
		if !strings.Contains(page, "1 under way") || strings.Contains(page, "/reorder") {
			t.Fatal("a new order is not under way")
		}
		sys := access.WithActor(ctx, access.Actor{ID: "test", Role: access.RoleSystem, TenantID: s.Tenant.ID})
		for _, to := range []orders.Status{orders.Paid, orders.Ready, orders.Shipped, orders.Delivered} {
			if err := s.Services().Orders.Move(sys, s.Tenant.ID, orderID, to); err != nil {
				t.Fatalf("move to %s: %v", to, err)
			}
		}
		_, page = testkit.Do(t, c, s.NewRequest(t, "GET", "/account", nil))
		action := `action="/account/orders/` + orderID + `/reorder"`
		if !strings.Contains(page, action) || strings.Contains(page, "under way") || !strings.Contains(page, "No open orders") {
			t.Fatal("the delivered order is not in past orders with Reorder")
		}
		testkit.Do(t, c, s.NewRequest(t, "POST", "/cart/items/"+p.Variants[0].ID, url.Values{"quantity": {"0"}}))
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/account/orders/"+orderID+"/reorder", nil)); r.StatusCode != 303 ||
			r.Header.Get("Location") != "/cart" {
			t.Fatalf("reorder: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		carer := s.NewPerson(t, access.RolePatient)
		pctx := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		if err := s.Services().Grants.GrantProxy(pctx, carer.Email, []string{"orders"}); err != nil {
			t.Fatal(err)
		}
		s.Services().After.Wait()
		_, page = testkit.Do(t, s.ClientAs(t, carer), s.NewRequest(t, "GET", "/account/for/"+patient.ID, nil))
		if !strings.Contains(page, "/account/orders/"+orderID) || strings.Contains(page, action) {
			t.Fatal("the proxy does not see the past order, or is offered to buy it for the patient")
		}
	})
}
