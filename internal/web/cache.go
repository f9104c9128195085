package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Cache holds rendered public output (pages split around their per-request
// slot, JSON documents) keyed by a string that the caller builds from the
// tenant, its catalog version and the canonical request. Why: rendering a
// catalog page costs far more than serving bytes, and the output is the same for
// every visitor until the catalog changes; a change bumps the version, so a
// stale entry is simply never asked for again.
//
// Only non-personal output may be cached. Pages keep their personal part out
// (render.Page.ExecuteSplit) and get it rendered per request.
type Cache struct {
	mu      sync.RWMutex
	entries map[string]*Entry
	size    int
	max     int
}

// Entry is one cached response.
type Entry struct {
	Status      int
	ContentType string
	Head, Tail  []byte // a page: Head + personal part + Tail; JSON: Head only
	ETag        string
	// whole is the page with one personal part put in (the one most
	// requests get: nobody signed in), built on the first such request.
	whole atomic.Pointer[wholePage]
}

// wholePage is a cached page with one personal part in its slot, and its
// ETag.
type wholePage struct {
	personal, body []byte
	etag           string
}

// NewCache returns a cache that holds about maxBytes of output.
func NewCache(maxBytes int) *Cache {
	return &Cache{entries: map[string]*Entry{}, max: maxBytes}
}

// Get returns an entry, or nil.
func (c *Cache) Get(key string) *Entry {
	c.mu.RLock()
	e := c.entries[key]
	c.mu.RUnlock()
	return e
}

// Put stores an entry and gives it an ETag made from its key. When the cache is
// full it starts over: entries of old versions are never asked for again, and
// the current ones are rendered again on demand.
func (c *Cache) Put(key string, e *Entry) {
	sum := sha256.Sum256([]byte(key))
	e.ETag = `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
	n := len(key) + len(e.Head) + len(e.Tail)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.size+n > c.max {
		c.entries = map[string]*Entry{}
		c.size = 0
	}
	if old := c.entries[key]; old != nil {
		c.size -= len(key) + len(old.Head) + len(old.Tail)
	}
	c.entries[key] = e
	c.size += n
}

// Len returns the number of entries.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}

// NotModified answers 304 when the request's If-None-Match names the entry's
// ETag, after setting the validators; it reports whether it did.
//
// JSON entries are public data: any cache may keep them but must check back
// each time (no-cache), so a catalog change shows at once.
func (e *Entry) NotModified(w http.ResponseWriter, r *http.Request) bool {
	return notModified(w, r, e, e.ETag, "public, no-cache")
}

// PageNotModified is NotModified for a page whose per-request part is
// personal: its ETag also covers that part, and only the browser may keep it
// (private), never a shared cache.
func (e *Entry) PageNotModified(w http.ResponseWriter, r *http.Request, personal []byte) bool {
	return notModified(w, r, e, e.pageETag(personal), "private, no-cache")
}

// WritePage writes a cached page with this request's personal part in its
// slot, or a 304 (see PageNotModified). Why one write of the whole body: three
// writes (head, personal part, tail) of a page larger than net/http's
// buffers cost a system call or two more per response. When shared is set
// the personal part is the same for many requests (nobody signed in): the
// page with it is built once and kept in the entry.
func (e *Entry) WritePage(w http.ResponseWriter, r *http.Request, personal []byte, shared bool) error {
	var body []byte
	var etag string
	if wp := e.whole.Load(); shared && wp != nil && bytes.Equal(wp.personal, personal) {
		body, etag = wp.body, wp.etag
	} else {
		body = make([]byte, 0, len(e.Head)+len(personal)+len(e.Tail))
		body = append(append(append(body, e.Head...), personal...), e.Tail...)
		etag = e.pageETag(personal)
		if shared {
			e.whole.Store(&wholePage{personal: bytes.Clone(personal), body: body, etag: etag})
		}
	}
	if notModified(w, r, e, etag, "private, no-cache") {
		return nil
	}
	h := w.Header()
	h.Set("Content-Type", e.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	if r.Method == http.MethodHead {
		return nil
	}
	// Head and Tail are html/template output, escaped when they were
	// rendered, and so is the personal part.
	_, err := w.Write(body) //nolint:gosec // escaped template output
	return err
}

// pageETag is the ETag of the page with a personal part: the entry's, and a
// hash of the part when there is one.
func (e *Entry) pageETag(personal []byte) string {
	if len(personal) == 0 {
		return e.ETag
	}
	h := fnv.New64a()
	_, _ = h.Write(personal)
	return strings.TrimSuffix(e.ETag, `"`) + "-" + strconv.FormatUint(h.Sum64(), 36) + `"`
}

func notModified(w http.ResponseWriter, r *http.Request, e *Entry, etag, cacheControl string) bool {
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", cacheControl)
	inm := r.Header.Get("If-None-Match")
	if inm == "" || e.Status != http.StatusOK {
		return false
	}
	for part := range strings.SplitSeq(inm, ",") {
		if t := strings.TrimPrefix(strings.TrimSpace(part), "W/"); t == etag || t == "*" {
			w.WriteHeader(http.StatusNotModified)
			return true
		}
	}
	return false
}

// WriteJSON writes a cached JSON entry.
func (e *Entry) WriteJSON(w http.ResponseWriter, r *http.Request) error {
	if e.NotModified(w, r) {
		return nil
	}
	h := w.Header()
	h.Set("Content-Type", e.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(e.Head)))
	w.WriteHeader(e.Status)
	if r.Method == http.MethodHead {
		return nil
	}
	_, err := w.Write(e.Head)
	return err
}
