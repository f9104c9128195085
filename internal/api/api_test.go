package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/api"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// spec is the parsed OpenAPI document.
type spec struct {
	doc map[string]any
}

func loadSpec(t *testing.T) *spec {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi version %v", doc["openapi"])
	}
	return &spec{doc: doc}
}

// response returns the schema of an operation's response for a status.
func (s *spec) response(t *testing.T, path, status string) (map[string]any, string) {
	t.Helper()
	op, _ := s.doc["paths"].(map[string]any)[path].(map[string]any)["get"].(map[string]any)
	if op == nil {
		t.Fatalf("no GET %s in the spec", path)
	}
	r, _ := op["responses"].(map[string]any)[status].(map[string]any)
	if r == nil {
		t.Fatalf("GET %s: status %s is not documented", path, status)
	}
	if ref, ok := r["$ref"].(string); ok {
		r = s.resolve(ref)
	}
	content, _ := r["content"].(map[string]any)
	for ct, c := range content {
		return c.(map[string]any)["schema"].(map[string]any), ct
	}
	return nil, ""
}

func (s *spec) resolve(ref string) map[string]any {
	var node any = s.doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		node = node.(map[string]any)[part]
	}
	return node.(map[string]any)
}

// validate checks v against a JSON Schema (the subset the spec uses) and
// returns every mismatch.
func (s *spec) validate(schema map[string]any, v any, at string) []string {
	if ref, ok := schema["$ref"].(string); ok {
		return s.validate(s.resolve(ref), v, at)
	}
	var errs []string
	if all, ok := schema["allOf"].([]any); ok {
		for _, sub := range all {
			errs = append(errs, s.validate(sub.(map[string]any), v, at)...)
		}
	}
	if one, ok := schema["oneOf"].([]any); ok {
		n := 0
		for _, sub := range one {
			if len(s.validate(sub.(map[string]any), v, at)) == 0 {
				n++
			}
		}
		if n != 1 {
			errs = append(errs, fmt.Sprintf("%s: matches %d of oneOf", at, n))
		}
	}
	if typ, ok := schema["type"].(string); ok {
		okType := false
		switch x := v.(type) {
		case nil:
			okType = typ == "null"
		case bool:
			okType = typ == "boolean"
		case float64:
			okType = typ == "number" || (typ == "integer" && x == float64(int64(x)))
		case string:
			okType = typ == "string"
		case []any:
			okType = typ == "array"
		case map[string]any:
			okType = typ == "object"
		}
		if !okType {
			return append(errs, fmt.Sprintf("%s: %T is not %s", at, v, typ))
		}
	}
	if enum, ok := schema["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			found = found || e == v
		}
		if !found {
			errs = append(errs, fmt.Sprintf("%s: %v not in enum", at, v))
		}
	}
	if f, ok := v.(float64); ok {
		if m, ok := schema["minimum"].(float64); ok && f < m {
			errs = append(errs, fmt.Sprintf("%s: %v < %v", at, f, m))
		}
		if m, ok := schema["maximum"].(float64); ok && f > m {
			errs = append(errs, fmt.Sprintf("%s: %v > %v", at, f, m))
		}
	}
	if str, ok := v.(string); ok {
		if p, ok := schema["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(str) {
			errs = append(errs, fmt.Sprintf("%s: %q does not match %s", at, str, p))
		}
	}
	if arr, ok := v.([]any); ok {
		if items, ok := schema["items"].(map[string]any); ok {
			for i, x := range arr {
				errs = append(errs, s.validate(items, x, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	if obj, ok := v.(map[string]any); ok {
		props, _ := schema["properties"].(map[string]any)
		for _, r := range asList(schema["required"]) {
			if _, ok := obj[r]; !ok {
				errs = append(errs, at+": missing "+r)
			}
		}
		for k, x := range obj {
			if p, ok := props[k].(map[string]any); ok {
				errs = append(errs, s.validate(p, x, at+"."+k)...)
			} else if ap, ok := schema["additionalProperties"]; ok {
				if ap == false {
					errs = append(errs, at+": unexpected property "+k)
				} else if m, ok := ap.(map[string]any); ok {
					errs = append(errs, s.validate(m, x, at+"."+k)...)
				}
			}
		}
	}
	return errs
}

func asList(v any) []string {
	var out []string
	for _, x := range asAny(v) {
		out = append(out, x.(string))
	}
	return out
}

func asAny(v any) []any { l, _ := v.([]any); return l }

func get(t *testing.T, s *testkit.Server, path string, hdr ...string) (*http.Response, any) {
	t.Helper()
	req := s.NewRequest(t, "GET", path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v any
	if resp.StatusCode != 304 {
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("GET %s: %d, not JSON: %s", path, resp.StatusCode, b)
		}
	}
	return resp, v
}

// TestProductsAPIMatchesTheSpec checks every kind of response against
// openapi.json, on both engines.
func TestProductsAPIMatchesTheSpec(t *testing.T) {
	sp := loadSpec(t)
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		cat := &catalog.Category{TenantID: s.Tenant.ID, Name: "Diabetes care"}
		if err := s.Catalog().SaveCategory(ctx, cat); err != nil {
			t.Fatal(err)
		}
		for i, name := range []string{"Glucose Meter", "Glucose Test Strips", "Lancets", "Insulin Pen"} {
			p := &catalog.Product{Name: name, CategoryID: cat.ID, Tags: []string{"glucose"}, RequiresPrescription: name == "Insulin Pen",
				Description: "**Sterile** supplies.",
				Variants:    []catalog.Variant{{SKU: fmt.Sprintf("D-%d", i), Price: int64(1000 * (i + 1)), Stock: int64(i)}}}
			if i == 3 {
				p.CategoryID = ""
			}
			if i == 1 {
				p.Variants[0].PriceBreaks = []catalog.PriceBreak{{MinQuantity: 10, UnitPrice: 1500}, {MinQuantity: 3, UnitPrice: 1800}}
			}
			if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
				t.Fatal(err)
			}
		}
		check := func(path, specPath string, want int) any {
			t.Helper()
			resp, v := get(t, s, path)
			if resp.StatusCode != want {
				t.Fatalf("GET %s = %d, want %d: %v", path, resp.StatusCode, want, v)
			}
			schema, ct := sp.response(t, specPath, fmt.Sprint(want))
			if got := resp.Header.Get("Content-Type"); got != ct {
				t.Fatalf("GET %s: content type %q, the spec says %q", path, got, ct)
			}
			for _, msg := range sp.validate(schema, v, "$") {
				t.Errorf("GET %s: %s", path, msg)
			}
			return v
		}
		v := check("/api/v1/products?limit=24", "/products", 200).(map[string]any)
		if v["total"] != float64(4) || len(v["products"].([]any)) != 4 {
			t.Fatalf("list: %v", v)
		}
		v = check("/api/v1/products?q=gluc&limit=1&page=2&sort=price_desc", "/products", 200).(map[string]any)
		if v["total"] != float64(4) || v["products"].([]any)[0].(map[string]any)["name"] != "Lancets" {
			t.Fatalf("search: %v", v)
		}
		check("/api/v1/products?q=nothing-matches-this", "/products", 200)
		check("/api/v1/products?rx=only&in_stock=1&hsa=1&min_price=1&max_price=100", "/products", 200)
		for _, bad := range []string{"limit=0", "limit=abc", "sort=bogus", "rx=maybe", "min_price=-1", "page=0"} {
			check("/api/v1/products?"+bad, "/products", 400)
		}
		// A parameter the description does not name is refused, named.
		p := check("/api/v1/products?q=gluc&colour=red", "/products", 400).(map[string]any)
		if d := p["detail"].(string); !strings.Contains(d, "colour") || !strings.Contains(d, "takes q, limit") {
			t.Fatalf("unknown parameter: %v", p)
		}
		check("/api/v1/products/glucose-meter?expand=all", "/products/{slug}", 400)
		d := check("/api/v1/products/glucose-meter", "/products/{slug}", 200).(map[string]any)
		if !strings.Contains(d["description_html"].(string), "<strong>Sterile</strong>") {
			t.Fatalf("detail: %v", d)
		}
		check("/api/v1/products/insulin-pen", "/products/{slug}", 200)
		// Volume prices, lowest quantity first; stock as a level, never a count.
		d = check("/api/v1/products/glucose-test-strips", "/products/{slug}", 200).(map[string]any)
		vj := d["variants"].([]any)[0].(map[string]any)
		if got, _ := json.Marshal(vj["price_breaks"]); string(got) != `[{"min_quantity":3,"unit_price":{"amount":1800,"currency":"USD"}},{"min_quantity":10,"unit_price":{"amount":1500,"currency":"USD"}}]` {
			t.Fatalf("price breaks: %s", got)
		}
		if _, ok := vj["stock"]; ok || vj["in_stock"] != true || vj["low_stock"] != true {
			t.Fatalf("availability: %v", vj)
		}
		check("/api/v1/products/no-such-product", "/products/{slug}", 404)
		check("/api/v1/products/BAD%20SLUG", "/products/{slug}", 404)

		// ETag: 304 until the catalog changes.
		resp, _ := get(t, s, "/api/v1/products?limit=24")
		etag := resp.Header.Get("ETag")
		if resp, _ := get(t, s, "/api/v1/products?limit=24", "If-None-Match", etag); resp.StatusCode != 304 {
			t.Fatalf("revalidate = %d", resp.StatusCode)
		}
		if err := s.Catalog().SaveCategory(ctx, &catalog.Category{TenantID: s.Tenant.ID, Name: "New"}); err != nil {
			t.Fatal(err)
		}
		if resp, _ := get(t, s, "/api/v1/products?limit=24", "If-None-Match", etag); resp.StatusCode != 200 {
			t.Fatalf("after a change = %d", resp.StatusCode)
		}
	})
}

// TestUnknownAPIPathsAnswerProblemJSON: a path under /api/v1 that no route
// serves is a problem document, whatever the method and Accept header.
func TestUnknownAPIPathsAnswerProblemJSON(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	for _, m := range []string{"GET", "POST", "DELETE"} {
		for _, path := range []string{"/api/v1/nope", "/api/v1/products/a/b", "/api/v1/"} {
			req := s.NewRequest(t, m, path, nil)
			req.Header.Set("Accept", "text/html")
			resp, err := s.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(b), `"status":404`) {
				t.Errorf("%s %s = %d %s\n%s", m, path, resp.StatusCode, resp.Header.Get("Content-Type"), b)
			}
		}
	}
}

// TestSpecIsServed: the document is served as JSON.
func TestSpecIsServed(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	resp, v := get(t, s, "/api/v1/openapi.json")
	if resp.StatusCode != 200 || v.(map[string]any)["openapi"] != "3.1.0" {
		t.Fatalf("spec: %d", resp.StatusCode)
	}
}
