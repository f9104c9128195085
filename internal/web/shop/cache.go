package shop

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"

	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// build makes a page's title and data on a cache miss.
type build func() (title string, data any, err error)

var personalBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// serveCached serves a public page from the cache, rendering it on a miss. key
// names the page and its canonical parameters; the tenant, the tenant's own
// version (name, theme, logo) and its catalog version are added here, so any
// catalog change makes every old entry unreachable at once. Errors are never
// cached.
func (h *Handlers) serveCached(w http.ResponseWriter, r *http.Request, page *render.Page, key string, b build) error {
	ctx := r.Context()
	t := tenant.FromContext(ctx)
	ver, err := h.catalog.Version(ctx, t.ID)
	if err != nil {
		return err
	}
	full := t.ID + "|" + strconv.FormatInt(t.UpdatedAt.UnixNano(), 36) + "|" + strconv.FormatInt(ver, 10) + "|" + page.Name() + "|" + key
	e := h.cache.Get(full)
	if e == nil {
		title, data, err := b()
		if err != nil {
			return err
		}
		// The view carries the tenant's menu and legal pages (Site.SetNav).
		v := h.site.View(r, title, data)
		// The request id stays out of a cached page: it belongs to one request.
		v.RequestID = ""
		head, tail, err := page.ExecuteSplit(v)
		if err != nil {
			return err
		}
		e = &web.Entry{Status: http.StatusOK, ContentType: "text/html; charset=utf-8", Head: head, Tail: tail}
		h.cache.Put(full, e)
	}
	// The personal part, rendered for this request only; with nobody
	// signed in it is the same for every request, rendered once.
	if _, signedIn := web.SessionFrom(ctx); !signedIn {
		personal, err := h.anonymousPart()
		if err != nil {
			return err
		}
		return e.WritePage(w, r, personal, true)
	}
	buf := personalBufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer personalBufs.Put(buf)
	if err := h.site.Engine().Personal(buf, &render.View{Viewer: web.ViewerOf(r)}); err != nil {
		return err
	}
	return e.WritePage(w, r, buf.Bytes(), false)
}

// anonymousPart is the personal part for a request without a session
// (web.ViewerOf gives the zero Viewer then), rendered once.
func (h *Handlers) anonymousPart() ([]byte, error) {
	h.anonOnce.Do(func() {
		var b bytes.Buffer
		h.anonErr = h.site.Engine().Personal(&b, &render.View{Viewer: render.Viewer{}})
		h.anon = b.Bytes()
	})
	return h.anon, h.anonErr
}

// imageURL is where an image rendition is served: its content hash is in the
// URL, so the response can be cached for a year.
func imageURL(sha, size string) string { return web.ImageURL(sha, size) }
