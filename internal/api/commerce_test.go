package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// schemaOf returns the schema of an operation's response.
func (s *spec) schemaOf(t *testing.T, method, path, status string) map[string]any {
	t.Helper()
	op, _ := s.doc["paths"].(map[string]any)[path].(map[string]any)[method].(map[string]any)
	if op == nil {
		t.Fatalf("no %s %s in the spec", method, path)
	}
	r, _ := op["responses"].(map[string]any)[status].(map[string]any)
	if r == nil {
		t.Fatalf("%s %s: status %s is not documented", method, path, status)
	}
	if ref, ok := r["$ref"].(string); ok {
		r = s.resolve(ref)
	}
	for _, c := range r["content"].(map[string]any) {
		return c.(map[string]any)["schema"].(map[string]any)
	}
	return nil
}

func call(t *testing.T, c *http.Client, req *http.Request) (int, any) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s %s: %d, not JSON: %s", req.Method, req.URL.Path, resp.StatusCode, b)
	}
	return resp.StatusCode, v
}

// TestCartAndOrdersAPI checks the cart and order endpoints against
// openapi.json on both engines.
func TestCartAndOrdersAPI(t *testing.T) {
	sp := loadSpec(t)
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		p := &catalog.Product{Name: "Test Strips", Variants: []catalog.Variant{{SKU: "TS-50", Name: "50 strips", Price: 2499, Stock: 3}}}
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
			t.Fatal(err)
		}
		v := p.Variants[0]
		check := func(method, path, status string, got any) {
			t.Helper()
			if errs := sp.validate(sp.schemaOf(t, method, path, status), got, "$"); len(errs) > 0 {
				t.Errorf("%s %s %s: %v", method, path, status, errs)
			}
		}
		patient := s.NewPerson(t, access.RolePatient)
		c := s.ClientAs(t, patient)
		code, got := call(t, c, s.NewRequest(t, "GET", "/api/v1/cart", nil))
		if code != 200 {
			t.Fatalf("empty cart: %d", code)
		}
		check("get", "/cart", "200", got)
		post := func(body string) (int, any) {
			req := s.NewRequest(t, "POST", "/api/v1/cart/items", nil)
			req.Body = io.NopCloser(strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			return call(t, c, req)
		}
		code, got = post(`{"variant_id": "` + v.ID + `", "quantity": 2}`)
		if code != 200 || got.(map[string]any)["count"] != float64(2) {
			t.Fatalf("add: %d %v", code, got)
		}
		check("post", "/cart/items", "200", got)
		for _, body := range []string{`{"variant_id": "` + id.New() + `", "quantity": 1}`, `{"variant_id": "` + v.ID + `", "quantity": -1}`,
			`{"variant_id": "` + v.ID + `", "quantity": 5}`, `{"variant_id": "` + v.ID + `", "quantity": 1, "price": 1}`, `nope`} {
			code, got := post(body)
			if code != 422 && code != 400 {
				t.Errorf("%s: %d", body, code)
			}
			check("post", "/cart/items", "422", got)
		}
		// A quantity too big for any number type is out of range, not "not JSON".
		code, got = post(`{"variant_id": "` + v.ID + `", "quantity": 1e20}`)
		if d, _ := got.(map[string]any)["detail"].(string); code != 400 || !strings.Contains(d, "quantity is out of range") {
			t.Errorf("quantity 1e20: %d %v", code, got)
		}
		if code, got := call(t, c, s.NewRequest(t, "GET", "/api/v1/cart?verbose=1", nil)); code != 400 {
			t.Errorf("unknown parameter on the cart: %d %v", code, got)
		}
		if _, got := call(t, c, s.NewRequest(t, "GET", "/api/v1/cart", nil)); got.(map[string]any)["count"] != float64(2) {
			t.Fatal("bad input changed the cart")
		}

		pctx := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		o, err := s.Services().Orders.Place(pctx, orders.PlaceRequest{TenantID: s.Tenant.ID, UserID: patient.ID,
			Items: []orders.ItemRef{{VariantID: v.ID, Quantity: 1}}, Address: orders.Address{Name: "Pat", Line1: "1 Main St", City: "Reno",
				Region: "CA", PostalCode: "89501"}, Shipping: "standard", Gateway: "test", Brand: "Test", BaseURL: s.URL})
		if err != nil {
			t.Fatal(err)
		}
		code, got = call(t, c, s.NewRequest(t, "GET", "/api/v1/orders", nil))
		if code != 200 || len(got.(map[string]any)["orders"].([]any)) != 1 {
			t.Fatalf("orders: %d %v", code, got)
		}
		check("get", "/orders", "200", got)
		code, got = call(t, c, s.NewRequest(t, "GET", "/api/v1/orders/"+o.ID, nil))
		if code != 200 || got.(map[string]any)["reference"] != o.Reference {
			t.Fatalf("order: %d %v", code, got)
		}
		check("get", "/orders/{id}", "200", got)

		// Another patient: the same 404 problem as a made-up id; nobody
		// signed in: 401.
		oc := s.ClientAs(t, s.NewPerson(t, access.RolePatient))
		for _, oid := range []string{o.ID, id.New()} {
			code, got := call(t, oc, s.NewRequest(t, "GET", "/api/v1/orders/"+url.PathEscape(oid), nil))
			if code != 404 {
				t.Errorf("other patient: %d", code)
			}
			check("get", "/orders/{id}", "404", got)
		}
		code, got = call(t, s.Client(), s.NewRequest(t, "GET", "/api/v1/orders", nil))
		if code != 401 {
			t.Errorf("anonymous: %d", code)
		}
		check("get", "/orders", "401", got)
	})
}
