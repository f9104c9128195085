package login_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/web"
)

// address is what the checkout form sends; orderURL is where paying leads.
var (
	address = url.Values{"name": {"Pat Doe"}, "line1": {"1 Main St"}, "city": {"Springfield"}, "region": {"NY"},
		"postal_code": {"10001"}, "shipping": {"express"}, "gateway": {"test"}}
	orderURL = regexp.MustCompile(`^/account/orders/([0-9a-f-]{36})$`)
)

// savedCartWorld is a server with four products and helpers to sign in
// through the pages and to read carts.
type savedCartWorld struct {
	t        *testing.T
	s        *testkit.Server
	products map[string]*catalog.Product
}

func newSavedCartWorld(t *testing.T, e store.Engine) *savedCartWorld {
	w := &savedCartWorld{t: t, s: testkit.StartServer(t, e), products: map[string]*catalog.Product{}}
	for _, p := range []struct {
		name  string
		stock int64
	}{{"Glucose Meter", 10}, {"Test Strips", 10}, {"Lancets", 3}, {"Insulin Pen", 5}} {
		prod := &catalog.Product{Name: p.name, Variants: []catalog.Variant{{SKU: strings.ToUpper(p.name[:3]) + "-1", Price: 1000, Stock: p.stock}}}
		if err := w.s.Catalog().SaveProduct(context.Background(), w.s.Tenant.ID, prod); err != nil {
			t.Fatal(err)
		}
		w.products[p.name] = prod
	}
	return w
}

// variant is the id of a product's only variant.
func (w *savedCartWorld) variant(name string) string { return w.products[name].Variants[0].ID }

// add puts qty of a product in the browser's cart through the page.
func (w *savedCartWorld) add(c *http.Client, name string, qty string) {
	w.t.Helper()
	if r, body := testkit.Do(w.t, c, w.s.NewRequest(w.t, "POST", "/cart/items", url.Values{"variant": {w.variant(name)}, "quantity": {qty}})); r.StatusCode != 303 {
		w.t.Fatalf("add %s: %d\n%s", name, r.StatusCode, body)
	}
}

// login signs in through the sign-in page and returns the response.
func (w *savedCartWorld) login(c *http.Client, p testkit.Person) *http.Response {
	w.t.Helper()
	r, _ := testkit.Do(w.t, c, w.s.NewRequest(w.t, "POST", "/login", url.Values{"email": {p.Email}, "password": {p.Password}, "next": {"/cart"}}))
	if r.StatusCode != 303 {
		w.t.Fatalf("login: %d", r.StatusCode)
	}
	return r
}

// browserCart is what a client's cart holds, by product name, read from the
// catalog store through the cart service (as the cart page would).
func (w *savedCartWorld) browserCart(c *http.Client) map[string]int64 {
	w.t.Helper()
	u, _ := url.Parse(w.s.URL)
	token := ""
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == web.CartCookiePlain {
			token = ck.Value
		}
	}
	carts := cart.NewService(store.NewCarts(w.s.Stores.Catalog), nil)
	got, err := carts.Get(context.Background(), w.s.Tenant.ID, token)
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]int64{}
	for _, l := range got.Lines {
		out[l.Name] = l.Quantity
	}
	return out
}

// saved is a patient's saved cart by product name, read as that patient.
func (w *savedCartWorld) saved(p testkit.Person) map[string]int64 {
	w.t.Helper()
	ctx := access.WithActor(context.Background(), access.Actor{ID: p.ID, Role: access.RolePatient, TenantID: w.s.Tenant.ID})
	items, err := w.s.Services().SavedCarts.Get(ctx, w.s.Tenant.ID, p.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]int64{}
	for _, it := range items {
		for name := range w.products {
			if w.variant(name) == it.VariantID {
				out[name] = it.Quantity
			}
		}
	}
	return out
}

func (w *savedCartWorld) want(what string, got, want map[string]int64) {
	w.t.Helper()
	if len(got) != len(want) {
		w.t.Fatalf("%s: %v, want %v", what, got, want)
	}
	for k, v := range want {
		if got[k] != v {
			w.t.Fatalf("%s: %v, want %v", what, got, want)
		}
	}
}

// count counts audit events of an action by an actor.
func (w *savedCartWorld) count(action, actorID string) int {
	w.t.Helper()
	var n int
	if err := w.s.Stores.Audit.Reader().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_id = $2`, action, actorID).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// TestSavedCartFollowsThePatient: an anonymous cart survives sign-in and is
// saved; another device signing in gets the same items; signing in again
// doubles nothing; changes while signed in (pages, API, reorder) reach the
// saved cart; sold-out and withdrawn items are dropped at the merge; sign-out
// takes the cart out of the browser and keeps it saved; checkout empties the
// saved cart; another patient never sees it; reads and writes are audited.
func TestSavedCartFollowsThePatient(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		w := newSavedCartWorld(t, e)
		s := w.s
		pat := s.NewPerson(t, access.RolePatient)

		// Device A: an anonymous cart, then sign-in keeps it and saves it.
		a := s.Client()
		w.add(a, "Glucose Meter", "2")
		w.login(a, pat)
		w.want("A after sign-in", w.browserCart(a), map[string]int64{"Glucose Meter": 2})
		w.want("saved after A's sign-in", w.saved(pat), map[string]int64{"Glucose Meter": 2})
		if _, body := testkit.Do(t, a, s.NewRequest(t, "GET", "/cart", nil)); !strings.Contains(body, "Glucose Meter") {
			t.Fatal("the cart page lost the item at sign-in")
		}

		// Device B, with an anonymous cart of its own: both sides at sign-in.
		b := s.Client()
		w.add(b, "Test Strips", "1")
		w.add(b, "Glucose Meter", "1")
		w.login(b, pat)
		both := map[string]int64{"Glucose Meter": 2, "Test Strips": 1}
		w.want("B after sign-in", w.browserCart(b), both)
		w.want("saved after B's sign-in", w.saved(pat), both)

		// Signing in again, on either device: the larger quantity, not the sum.
		w.login(b, pat)
		w.login(a, pat)
		w.want("B after a second sign-in", w.browserCart(b), both)
		w.want("A after a second sign-in", w.browserCart(a), both)
		w.want("saved after second sign-ins", w.saved(pat), both)

		// Changes while signed in reach the saved cart: add, update, remove,
		// and the JSON API.
		w.add(a, "Lancets", "2")
		w.want("saved after add", w.saved(pat), map[string]int64{"Glucose Meter": 2, "Test Strips": 1, "Lancets": 2})
		if r, _ := testkit.Do(t, a, s.NewRequest(t, "POST", "/cart/items/"+w.variant("Glucose Meter"), url.Values{"quantity": {"3"}})); r.StatusCode != 303 {
			t.Fatalf("update: %d", r.StatusCode)
		}
		if r, _ := testkit.Do(t, a, s.NewRequest(t, "POST", "/cart/items/"+w.variant("Test Strips"), url.Values{"remove": {"1"}})); r.StatusCode != 303 {
			t.Fatalf("remove: %d", r.StatusCode)
		}
		req := s.NewRequest(t, "POST", "/api/v1/cart/items", nil)
		req.Body = io.NopCloser(strings.NewReader(`{"variant_id": "` + w.variant("Insulin Pen") + `", "quantity": 1}`))
		req.Header.Set("Content-Type", "application/json")
		if r, body := testkit.Do(t, a, req); r.StatusCode != 200 {
			t.Fatalf("API add: %d %s", r.StatusCode, body)
		}
		w.want("saved after update, remove, API add", w.saved(pat),
			map[string]int64{"Glucose Meter": 3, "Lancets": 2, "Insulin Pen": 1})

		// B signs out: the cart leaves B's browser (a shared computer shows
		// the next person nothing) and stays saved.
		r, _ := testkit.Do(t, b, s.NewRequest(t, "POST", "/logout", url.Values{}))
		if r.StatusCode != 303 {
			t.Fatalf("logout: %d", r.StatusCode)
		}
		dropped := false
		for _, ck := range r.Cookies() {
			dropped = dropped || (ck.Name == web.CartCookiePlain && ck.MaxAge < 0)
		}
		if !dropped {
			t.Fatal("sign-out kept the cart cookie")
		}
		if _, body := testkit.Do(t, b, s.NewRequest(t, "GET", "/cart", nil)); !strings.Contains(body, "Your cart is empty") {
			t.Fatal("the cart stayed in the browser after sign-out")
		}
		w.want("B after sign-out", w.browserCart(b), map[string]int64{})
		w.want("saved after B's sign-out", w.saved(pat), map[string]int64{"Glucose Meter": 3, "Lancets": 2, "Insulin Pen": 1})

		// Lancets sell out and the insulin pen is withdrawn: B's next
		// sign-in drops both, from the browser and the saved cart.
		ctx := context.Background()
		lancets := w.products["Lancets"]
		lancets.Variants[0].Stock = 0
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, lancets); err != nil {
			t.Fatal(err)
		}
		pen := w.products["Insulin Pen"]
		pen.Status = catalog.StatusArchived
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, pen); err != nil {
			t.Fatal(err)
		}
		w.login(b, pat)
		w.want("B after sold-out and withdrawn", w.browserCart(b), map[string]int64{"Glucose Meter": 3})
		w.want("saved after sold-out and withdrawn", w.saved(pat), map[string]int64{"Glucose Meter": 3})
		if r, _ := testkit.Do(t, b, s.NewRequest(t, "POST", "/logout", url.Values{})); r.StatusCode != 303 {
			t.Fatalf("logout: %d", r.StatusCode)
		}

		// Another patient: signs in on a fresh device and on device B, sees
		// none of it, and cannot read it.
		other := s.NewPerson(t, access.RolePatient)
		oc := s.Client()
		w.login(oc, other)
		w.want("another patient's cart", w.browserCart(oc), map[string]int64{})
		w.login(b, other)
		w.want("another patient on device B", w.browserCart(b), map[string]int64{})
		octx := access.WithActor(ctx, access.Actor{ID: other.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		if _, err := s.Services().SavedCarts.Get(octx, s.Tenant.ID, pat.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another patient read the saved cart: %v", err)
		}

		// A's browser still holds the withdrawn pen and the sold-out lancets
		// (a product's edit keeps the cart lines of its variants): paying
		// with them is refused with what to do, and nothing is charged;
		// A removes them and pays.
		if r, body := testkit.Do(t, a, s.NewRequest(t, "POST", "/checkout/pay", address)); r.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(body, "Remove it from your cart") {
			t.Fatalf("pay with a withdrawn item: %d", r.StatusCode)
		}
		for _, name := range []string{"Insulin Pen", "Lancets"} {
			if r, _ := testkit.Do(t, a, s.NewRequest(t, "POST", "/cart/items/"+w.variant(name), url.Values{"remove": {"1"}})); r.StatusCode != 303 {
				t.Fatalf("remove %s: %d", name, r.StatusCode)
			}
		}

		// Checkout on A empties the cart and the saved cart: B's next
		// sign-in brings nothing back.
		if r, _ := testkit.Do(t, a, s.NewRequest(t, "POST", "/checkout/pay", address)); r.StatusCode != 303 || !orderURL.MatchString(r.Header.Get("Location")) {
			t.Fatalf("pay: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		w.want("A after checkout", w.browserCart(a), map[string]int64{})
		w.want("saved after checkout", w.saved(pat), map[string]int64{})
		b2 := s.Client()
		w.login(b2, pat)
		w.want("another device after checkout", w.browserCart(b2), map[string]int64{})

		// Reorder on the new device reaches the saved cart too.
		orders, err := s.Services().Orders.List(access.WithActor(ctx, access.Actor{ID: pat.ID, Role: access.RolePatient, TenantID: s.Tenant.ID}), s.Tenant.ID, pat.ID)
		if err != nil || len(orders) != 1 {
			t.Fatalf("orders: %d %v", len(orders), err)
		}
		if r, _ := testkit.Do(t, b2, s.NewRequest(t, "POST", "/account/orders/"+orders[0].ID+"/reorder", url.Values{})); r.StatusCode != 303 {
			t.Fatalf("reorder: %d", r.StatusCode)
		}
		w.want("saved after reorder", w.saved(pat), map[string]int64{"Glucose Meter": 3})

		// Audited: the reads at sign-in and the writes, by the patient.
		if n := w.count("saved_cart.read", pat.ID); n < 3 {
			t.Fatalf("saved cart reads audited: %d", n)
		}
		if n := w.count("saved_cart.update", pat.ID); n < 6 {
			t.Fatalf("saved cart writes audited: %d", n)
		}
		// The other patient's sign-ins touched only their own (empty) cart.
		var rows int
		if err := s.Stores.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT COUNT(*) FROM saved_carts WHERE user_id = $1`, other.ID).Scan(&rows); err != nil || rows != 0 {
			t.Fatalf("another patient's empty sign-ins stored a cart: %d %v", rows, err)
		}
	})
}

// TestTimedOutCartIsNotMergedIntoTheNextAccount: a patient's session ends on
// a shared computer without signing out (it timed out); the next patient to
// sign in there gets their own saved cart, not the first one's items.
func TestTimedOutCartIsNotMergedIntoTheNextAccount(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		w := newSavedCartWorld(t, e)
		s := w.s
		first, next := s.NewPerson(t, access.RolePatient), s.NewPerson(t, access.RolePatient)
		c := s.Client()
		w.add(c, "Test Strips", "1") // anonymous: merged at sign-in, as ever
		w.login(c, first)
		w.add(c, "Insulin Pen", "1")
		w.want("the first patient's saved cart", w.saved(first), map[string]int64{"Test Strips": 1, "Insulin Pen": 1})
		s.Clock.Advance(31 * time.Minute) // the patient's session times out
		w.login(c, next)
		w.want("the next patient's browser cart", w.browserCart(c), map[string]int64{})
		w.want("the next patient's saved cart", w.saved(next), map[string]int64{})
		w.want("the first patient's saved cart, kept", w.saved(first), map[string]int64{"Test Strips": 1, "Insulin Pen": 1})
		// The first patient signing in again there gets their cart back.
		s.Clock.Advance(31 * time.Minute)
		w.login(c, first)
		w.want("the first patient back", w.browserCart(c), map[string]int64{"Test Strips": 1, "Insulin Pen": 1})
	})
}

// TestSavedCartAfterSecondFactor: a patient with an authenticator gets the
// merge when the second factor finishes the sign-in, not before; staff
// sign-ins leave the browser's cart alone and save nothing.
func TestSavedCartAfterSecondFactor(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		w := newSavedCartWorld(t, e)
		s := w.s
		ctx := context.Background()
		pat := s.NewPerson(t, access.RolePatient)

		// Saved on one device first.
		a := s.Client()
		w.add(a, "Test Strips", "4")
		w.login(a, pat)

		// The patient adds an authenticator.
		ids := s.Services().SignIn
		sess, err := ids.Lookup(ctx, s.Tenant.ID, pat.Token)
		if err != nil {
			t.Fatal(err)
		}
		enrol, err := ids.BeginTOTP(ctx, sess, s.Tenant.Name)
		if err != nil {
			t.Fatal(err)
		}
		code, _ := auth.TOTPCode(enrol.Secret, s.Clock.Now())
		if _, _, _, err := ids.ConfirmTOTP(ctx, sess, code); err != nil {
			t.Fatal(err)
		}
		s.Clock.Advance(30 * time.Second)

		b := s.Client()
		w.add(b, "Glucose Meter", "1")
		r := w.login(b, pat)
		if !strings.HasPrefix(r.Header.Get("Location"), "/login/mfa") {
			t.Fatalf("no second factor asked: %s", r.Header.Get("Location"))
		}
		w.want("B before the second factor", w.browserCart(b), map[string]int64{"Glucose Meter": 1})
		w.want("saved before the second factor", w.saved(pat), map[string]int64{"Test Strips": 4})
		code, _ = auth.TOTPCode(enrol.Secret, s.Clock.Now())
		if r, _ := testkit.Do(t, b, s.NewRequest(t, "POST", "/login/mfa", url.Values{"code": {code}, "next": {"/cart"}})); r.StatusCode != 303 || r.Header.Get("Location") != "/cart" {
			t.Fatalf("second factor: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		both := map[string]int64{"Glucose Meter": 1, "Test Strips": 4}
		w.want("B after the second factor", w.browserCart(b), both)
		w.want("saved after the second factor", w.saved(pat), both)

		// Staff: an anonymous cart, then sign-in with the second factor.
		staff := s.NewPerson(t, access.RoleCustomerService)
		c := s.Client()
		w.add(c, "Lancets", "1")
		w.login(c, staff)
		code, _ = auth.TOTPCode(staff.TOTPSecret, s.Clock.Now())
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/login/mfa", url.Values{"code": {code}, "next": {"/"}})); r.StatusCode != 303 {
			t.Fatalf("staff second factor: %d", r.StatusCode)
		}
		w.want("staff's browser cart", w.browserCart(c), map[string]int64{"Lancets": 1})
		w.add(c, "Lancets", "1")
		var rows int
		if err := s.Stores.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT COUNT(*) FROM saved_carts WHERE user_id = $1`, staff.ID).Scan(&rows); err != nil || rows != 0 {
			t.Fatalf("staff cart saved: %d %v", rows, err)
		}
		if n := w.count("saved_cart.read", staff.ID) + w.count("saved_cart.update", staff.ID); n != 0 {
			t.Fatalf("staff sign-in touched saved carts: %d events", n)
		}
		// Staff sign-out leaves the browser's cart alone.
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/logout", url.Values{})); r.StatusCode != 303 {
			t.Fatalf("logout: %d", r.StatusCode)
		}
		w.want("staff's cart after sign-out", w.browserCart(c), map[string]int64{"Lancets": 2})
	})
}
