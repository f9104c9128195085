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
	// The personal part, rendered for this request only.
	buf := personalBufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer personalBufs.Put(buf)
	if err := h.site.Engine().Personal(buf, &render.View{Viewer: web.ViewerOf(r)}); err != nil {
		return err
	}
	if e.PageNotModified(w, r, buf.Bytes()) {
		return nil
	}
	hd := w.Header()
	hd.Set("Content-Type", e.ContentType)
	hd.Set("Content-Length", strconv.Itoa(len(e.Head)+buf.Len()+len(e.Tail)))
	w.WriteHeader(e.Status)
	if r.Method == http.MethodHead {
		return nil
	}
	// Head and Tail are html/template output, escaped when they were rendered.
	if _, err := w.Write(e.Head); err != nil { //nolint:gosec // escaped template output
		return err
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return err
	}
	_, err = w.Write(e.Tail) //nolint:gosec // escaped template output
	return err
}

// imageURL is where an image rendition is served: its content hash is in the
// URL, so the response can be cached for a year.
func imageURL(sha, size string) string { return web.ImageURL(sha, size) }
