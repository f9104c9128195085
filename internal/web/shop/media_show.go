package shop

import (
	"net/http"
	"strconv"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/tenant"
)

// showMedia serves an image rendition: /media/{sha}/{size}. The URL names the
// content's hash, so the bytes behind it never change and may be cached for a
// year by browsers and CDNs.
func (h *Handlers) showMedia(w http.ResponseWriter, r *http.Request) error {
	sha, size := r.PathValue("sha"), r.PathValue("size")
	if len(sha) != 64 || (size != catalog.SizeLarge && size != catalog.SizeThumb) {
		return apperr.NotFoundError()
	}
	etag := `"` + sha[:20] + size + `"`
	if r.Header.Get("If-None-Match") == etag {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	rd, err := h.catalog.Rendition(r.Context(), tenant.FromContext(r.Context()).ID, sha, size)
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", rd.ContentType)
	hd.Set("Content-Length", strconv.Itoa(len(rd.Data)))
	hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	hd.Set("ETag", etag)
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	// Re-encoded image bytes with their own type; nosniff is set on every response.
	_, err = httpx.WriteWhole(w, rd.Data) //nolint:gosec // an image we re-encoded, served with its image type
	return err
}
