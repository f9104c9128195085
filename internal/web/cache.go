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

	"github.com/salvehealth/salve/internal/httpx"
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
	// ctype and hlen are ContentType and len(Head) as header values, made
	// on first use (contentType, headLength).
	ctype, hlen atomic.Pointer[[]string]
}

// wholePage is a cached page with one personal part in its slot, and its
// header values, made once: a response sets them into its header map as they
// are (net/http only reads them), with no allocation per request.
type wholePage struct {
	personal, body []byte
	etag           []string // ETag
	length         []string // Content-Length
}

// Header values shared by every response that sets them; net/http only reads
// a header's values.
var (
	cachePrivate = []string{"private, no-cache"}
	cachePublic  = []string{"public, no-cache"}
)

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
	return notModified(w, r, e, e.ETag, nil, cachePublic)
}

// PageNotModified is NotModified for a page whose per-request part is
// personal: its ETag also covers that part, and only the browser may keep it
// (private), never a shared cache.
func (e *Entry) PageNotModified(w http.ResponseWriter, r *http.Request, personal []byte) bool {
	return notModified(w, r, e, e.pageETag(personal), nil, cachePrivate)
}

// WritePage writes a cached page with this request's personal part in its
// slot, or a 304 (see PageNotModified). Why one write of the whole body: three
// writes (head, personal part, tail) of a page larger than net/http's
// buffers cost a system call or two more per response. When shared is set
// the personal part is the same for many requests (nobody signed in): the
// page with it is built once and kept in the entry.
func (e *Entry) WritePage(w http.ResponseWriter, r *http.Request, personal []byte, shared bool) error {
	wp := e.whole.Load()
	if !shared || wp == nil || !bytes.Equal(wp.personal, personal) {
		body := make([]byte, 0, len(e.Head)+len(personal)+len(e.Tail))
		body = append(append(append(body, e.Head...), personal...), e.Tail...)
		etag := e.pageETag(personal)
		wp = &wholePage{body: body, etag: []string{etag}, length: []string{strconv.Itoa(len(body))}}
		if shared {
			wp.personal = bytes.Clone(personal)
			e.whole.Store(wp)
		}
	}
	if notModified(w, r, e, wp.etag[0], wp.etag, cachePrivate) {
		return nil
	}
	body := wp.body
	h := w.Header()
	h["Content-Type"] = e.contentType()
	h["Content-Length"] = wp.length
	w.WriteHeader(e.Status)
	if r.Method == http.MethodHead {
		return nil
	}
	// Head and Tail are html/template output, escaped when they were
	// rendered, and so is the personal part.
	_, err := httpx.WriteWhole(w, body) //nolint:gosec // escaped template output
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

// notModified sets the ETag (etagValues when the caller has it as a header
// value already, else etag) and Cache-Control, and answers 304 when
// If-None-Match names the ETag.
func notModified(w http.ResponseWriter, r *http.Request, e *Entry, etag string, etagValues, cacheControl []string) bool {
	h := w.Header()
	if etagValues == nil {
		etagValues = []string{etag}
	}
	h["Etag"] = etagValues
	h["Cache-Control"] = cacheControl
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
	h["Content-Type"] = e.contentType()
	h["Content-Length"] = e.headLength()
	w.WriteHeader(e.Status)
	if r.Method == http.MethodHead {
		return nil
	}
	_, err := httpx.WriteWhole(w, e.Head)
	return err
}

// contentType is ContentType as a header value, made once.
func (e *Entry) contentType() []string {
	if v := e.ctype.Load(); v != nil {
		return *v
	}
	v := []string{e.ContentType}
	e.ctype.Store(&v)
	return v
}

// headLength is the length of Head (a JSON entry's whole body) as a header
// value, made once.
func (e *Entry) headLength() []string {
	if v := e.hlen.Load(); v != nil {
		return *v
	}
	v := []string{strconv.Itoa(len(e.Head))}
	e.hlen.Store(&v)
	return v
}
