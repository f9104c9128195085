package render

import (
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func newEngine(t *testing.T) *Engine {
	t.Helper()
	assets, err := NewAssets(StaticFS())
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(assets, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEveryPageRendersInTheLayout(t *testing.T) {
	e := newEngine(t)
	if len(e.Names()) < 2 {
		t.Fatalf("pages: %v", e.Names())
	}
	p, err := e.Page("shop/home")
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	err = p.Render(rec, 201, &View{Brand: Brand{Name: "Acme <Health>", ThemeURL: "/theme.css?v=1"}, Title: "Hi"})
	if err != nil {
		t.Fatal(err)
	}
	body := rec.Body.String()
	if rec.Code != 201 || !strings.Contains(body, "<title>Hi · Acme &lt;Health&gt;</title>") || !strings.Contains(body, "/static/app.") {
		t.Fatalf("rendered:\n%s", body)
	}
	if strings.Contains(body, "<Health>") {
		t.Fatal("the brand name was not escaped")
	}
}

func TestMissingPageIsAnError(t *testing.T) {
	e := newEngine(t)
	if _, err := e.Page("shop/nope"); err == nil {
		t.Fatal("a missing page must be an error at start-up")
	}
}

func TestAssetURLsChangeWithContent(t *testing.T) {
	a1, _ := NewAssets(fstest.MapFS{"x.css": {Data: []byte("a{}")}})
	a2, _ := NewAssets(fstest.MapFS{"x.css": {Data: []byte("b{}")}})
	u1, err1 := a1.URL("x.css")
	u2, err2 := a2.URL("x.css")
	if err1 != nil || err2 != nil || u1 == u2 || !strings.HasPrefix(u1, "/static/x.") || !strings.HasSuffix(u1, ".css") {
		t.Fatalf("urls %q %q", u1, u2)
	}
	if _, err := a1.URL("missing.css"); err == nil {
		t.Fatal("missing asset must be an error")
	}
}

func TestTemplateErrorWritesNothing(t *testing.T) {
	e := newEngine(t)
	p, _ := e.Page("error")
	rec := httptest.NewRecorder()
	// The error page reads .Data.Title; a string has no such field.
	if err := p.Render(rec, 200, &View{Data: "not a struct"}); err == nil {
		t.Fatal("want an execution error")
	}
	if rec.Body.Len() != 0 || rec.Code != 200 || rec.Header().Get("Content-Type") != "" {
		t.Fatal("a failed render must leave the response untouched for the error page")
	}
}

// TestTestPaymentsBanner: the banner is on every page exactly when the
// engine is built with the test gateway on.
func TestTestPaymentsBanner(t *testing.T) {
	assets, err := NewAssets(StaticFS())
	if err != nil {
		t.Fatal(err)
	}
	for _, on := range []bool{true, false} {
		e, err := New(assets, Options{TestPayments: on})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"shop/home"} {
			p, err := e.Page(name)
			if err != nil {
				t.Fatal(err)
			}
			b, err := p.Execute(&View{Brand: Brand{Name: "Acme"}})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(string(b), "Test payments: no money moves"); got != on {
				t.Errorf("%s with test payments %v: banner %v", name, on, got)
			}
		}
	}
}
