package shop_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestCart adds, updates and removes items, and shows that bad input gets a
// clear error and leaves the cart as it was.
func TestCart(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		p := &catalog.Product{Name: "Vitamin D3", Variants: []catalog.Variant{{SKU: "D3-60", Name: "60 count", Price: 1250, Stock: 3}}}
		if err := s.Catalog().SaveProduct(context.Background(), s.Tenant.ID, p); err != nil {
			t.Fatal(err)
		}
		v := p.Variants[0]
		c := s.Client()

		// The product page offers the form, and stays the same for everyone
		// (it is cached): the form carries nothing personal.
		_, page := testkit.Do(t, c, s.NewRequest(t, "GET", "/products/"+p.Slug, nil))
		if !strings.Contains(page, `name="variant" value="`+v.ID+`"`) {
			t.Fatal("no add-to-cart form on the product page")
		}
		_, again := testkit.Do(t, s.Client(), s.NewRequest(t, "GET", "/products/"+p.Slug, nil))
		if again != page {
			t.Fatal("the product page differs between visitors")
		}

		add := func(variant, qty string) (int, string) {
			r, body := testkit.Do(t, c, s.NewRequest(t, "POST", "/cart/items", url.Values{"variant": {variant}, "quantity": {qty}}))
			return r.StatusCode, body
		}
		if code, _ := add(v.ID, "2"); code != 303 {
			t.Fatalf("add: %d", code)
		}
		r, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/cart", nil))
		if r.StatusCode != 200 || !strings.Contains(body, "Vitamin D3 — 60 count") || !strings.Contains(body, `value="2"`) ||
			!strings.Contains(body, "$25.00") || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("cart page: %d %s", r.StatusCode, body)
		}
		for name, tc := range map[string]struct{ variant, qty, want string }{
			"unknown variant": {id.New(), "1", "not for sale"},
			"malformed id":    {"x'; DROP TABLE", "1", "not for sale"},
			"zero":            {v.ID, "0", "at least 1"},
			"negative":        {v.ID, "-1", "at least 1"},
			"not a number":    {v.ID, "two", "whole number"},
			"above stock":     {v.ID, "2", "Only 3 left"},
			"huge":            {v.ID, "1000", "At most 99"},
		} {
			code, body := add(tc.variant, tc.qty)
			if code != 422 || !strings.Contains(body, tc.want) {
				t.Errorf("%s: %d, want 422 with %q", name, code, tc.want)
			}
		}
		_, body = testkit.Do(t, c, s.NewRequest(t, "GET", "/cart", nil))
		if !strings.Contains(body, `value="2"`) || !strings.Contains(body, "$25.00") {
			t.Fatal("bad input changed the cart")
		}

		// Update and remove.
		r, _ = testkit.Do(t, c, s.NewRequest(t, "POST", "/cart/items/"+v.ID, url.Values{"quantity": {"4"}}))
		if r.StatusCode != 422 {
			t.Fatalf("update above stock: %d", r.StatusCode)
		}
		r, _ = testkit.Do(t, c, s.NewRequest(t, "POST", "/cart/items/"+v.ID, url.Values{"quantity": {"1"}}))
		if r.StatusCode != 303 {
			t.Fatalf("update: %d", r.StatusCode)
		}
		_, body = testkit.Do(t, c, s.NewRequest(t, "GET", "/cart", nil))
		if !strings.Contains(body, "$12.50") {
			t.Fatal("update did not apply")
		}
		// Another browser has its own, empty cart, and cannot touch this one.
		other := s.Client()
		if r, _ := testkit.Do(t, other, s.NewRequest(t, "POST", "/cart/items/"+v.ID, url.Values{"remove": {"1"}})); r.StatusCode != 404 {
			t.Fatalf("another browser removing: %d", r.StatusCode)
		}
		if _, body := testkit.Do(t, other, s.NewRequest(t, "GET", "/cart", nil)); !strings.Contains(body, "Your cart is empty") {
			t.Fatal("another browser sees the cart")
		}
		r, _ = testkit.Do(t, c, s.NewRequest(t, "POST", "/cart/items/"+v.ID, url.Values{"remove": {"1"}}))
		if r.StatusCode != 303 {
			t.Fatalf("remove: %d", r.StatusCode)
		}
		if _, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/cart", nil)); !strings.Contains(body, "Your cart is empty") {
			t.Fatal("remove did not apply")
		}
	})
}
