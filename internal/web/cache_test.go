package web

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCacheStartsOverWhenFull(t *testing.T) {
	c := NewCache(100)
	c.Put("a", &Entry{Status: 200, Head: []byte(strings.Repeat("x", 40))})
	c.Put("b", &Entry{Status: 200, Head: []byte(strings.Repeat("x", 40))})
	if c.Len() != 2 || c.Get("a") == nil {
		t.Fatal("both entries fit")
	}
	c.Put("c", &Entry{Status: 200, Head: []byte(strings.Repeat("x", 40))})
	if c.Len() != 1 || c.Get("a") != nil || c.Get("c") == nil {
		t.Fatalf("a full cache must start over: %d entries", c.Len())
	}
	c.Put("c", &Entry{Status: 200, Head: []byte("y")})
	if c.size != 2 {
		t.Fatalf("replacing an entry must not leak its size: %d", c.size)
	}
}

func TestETagsAndRevalidation(t *testing.T) {
	c := NewCache(1 << 20)
	e := &Entry{Status: 200, ContentType: "application/json", Head: []byte("{}\n")}
	c.Put("k1", e)
	e2 := &Entry{Status: 200, Head: []byte("{}\n")}
	c.Put("k2", e2)
	if e.ETag == e2.ETag || !strings.HasPrefix(e.ETag, `"`) {
		t.Fatalf("etags %q %q", e.ETag, e2.ETag)
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("If-None-Match", `W/"nope", `+e.ETag)
	rec := httptest.NewRecorder()
	if err := e.WriteJSON(rec, req); err != nil || rec.Code != 304 || rec.Body.Len() != 0 {
		t.Fatalf("revalidation: %d %v", rec.Code, err)
	}
	// A page's ETag covers its personal part.
	rec = httptest.NewRecorder()
	req.Header.Set("If-None-Match", e.ETag)
	if e.PageNotModified(rec, req, []byte("Signed in as A")) {
		t.Fatal("a different personal part must not be 304")
	}
	if rec.Header().Get("Cache-Control") != "private, no-cache" {
		t.Fatalf("page cache control %q", rec.Header().Get("Cache-Control"))
	}
}
