package portal_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestLists: the wish list loses what is bought, a shopping list keeps its
// items and fills the cart in one click; other patients get the 404.
func TestLists(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		mk := func(name string) catalog.Variant {
			p := &catalog.Product{Name: name, Variants: []catalog.Variant{{SKU: "SKU-" + id.New()[24:], Price: 1000, Stock: 10}}}
			if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
				t.Fatal(err)
			}
			return p.Variants[0]
		}
		lancets, strips := mk("Lancets"), mk("Test Strips")
		patient := s.NewPerson(t, access.RolePatient)
		c := s.ClientAs(t, patient)
		do := func(path string, v url.Values) int {
			r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", path, v))
			return r.StatusCode
		}
		// A visitor who saves before signing in is sent to sign in.
		r, _ := testkit.Do(t, s.Client(), s.NewRequest(t, "POST", "/account/lists/wish/items", url.Values{"variant": {lancets.ID}}))
		if r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Fatalf("anonymous save: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if code := do("/account/lists/wish/items", url.Values{"variant": {lancets.ID}}); code != 303 {
			t.Fatalf("wish: %d", code)
		}
		if code := do("/account/lists/wish/items", url.Values{"variant": {id.New()}}); code != 422 {
			t.Fatalf("unknown variant: %d", code)
		}
		if code := do("/account/lists", url.Values{"name": {""}}); code != 422 {
			t.Fatalf("empty name: %d", code)
		}
		if code := do("/account/lists", url.Values{"name": {"Monthly"}}); code != 303 {
			t.Fatalf("create: %d", code)
		}
		_, page := testkit.Do(t, c, s.NewRequest(t, "GET", "/account/lists", nil))
		m := regexp.MustCompile(`/account/lists/([0-9a-f-]{36})/from-cart`).FindAllStringSubmatch(page, -1)
		if len(m) != 2 || !strings.Contains(page, "Lancets") || !strings.Contains(page, "Monthly") {
			t.Fatalf("lists page: %d lists", len(m))
		}
		monthly := m[1][1] // the wish list comes first
		if code := do("/cart/items", url.Values{"variant": {strips.ID}, "quantity": {"3"}}); code != 303 {
			t.Fatal(code)
		}
		if code := do("/account/lists/"+monthly+"/from-cart", url.Values{}); code != 303 {
			t.Fatalf("from cart: %d", code)
		}
		if code := do("/cart/items/"+strips.ID, url.Values{"remove": {"1"}}); code != 303 {
			t.Fatal(code)
		}
		if code := do("/account/lists/"+monthly+"/cart", url.Values{}); code != 303 {
			t.Fatalf("to cart: %d", code)
		}
		if _, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/cart", nil)); !strings.Contains(body, "Test Strips") || !strings.Contains(body, `value="3"`) {
			t.Fatal("the list did not fill the cart")
		}
		// Other patients: the same 404 for every list action.
		oc := s.ClientAs(t, s.NewPerson(t, access.RolePatient))
		for _, path := range []string{"/account/lists/" + monthly + "/cart", "/account/lists/" + monthly + "/items/" + strips.ID + "/remove",
			"/account/lists/" + monthly + "/items", "/account/lists/" + id.New() + "/cart"} {
			r, _ := testkit.Do(t, oc, s.NewRequest(t, "POST", path, url.Values{"variant": {strips.ID}}))
			if r.StatusCode != 404 {
				t.Errorf("other patient %s: %d", path, r.StatusCode)
			}
		}
		// Buying both: the wish list loses the lancets, the shopping list
		// keeps the strips.
		pctx := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		if _, err := s.Services().Orders.Place(pctx, orders.PlaceRequest{TenantID: s.Tenant.ID, UserID: patient.ID,
			Items:    []orders.ItemRef{{VariantID: lancets.ID, Quantity: 1}, {VariantID: strips.ID, Quantity: 3}},
			Address:  orders.Address{Name: "Pat", Line1: "1 Main St", City: "Reno", Region: "CA", PostalCode: "89501"},
			Shipping: "standard", Gateway: "test", Brand: "Test", BaseURL: s.URL}); err != nil {
			t.Fatal(err)
		}
		all, err := s.Services().Lists.All(pctx, s.Tenant.ID, patient.ID)
		if err != nil || len(all) != 2 || len(all[0].Items) != 0 || len(all[1].Items) != 1 {
			t.Fatalf("after buying: %+v %v", all, err)
		}
		if code := do("/account/lists/"+monthly+"/items/"+strips.ID+"/remove", url.Values{}); code != 303 {
			t.Fatalf("remove: %d", code)
		}
	})
}
