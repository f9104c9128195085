package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/tenant"
)

// Where the tenant's stylesheet and logo are served.
const (
	ThemePath = "/theme.css"
	LogoPath  = "/logo"
)

// Theme serves the tenant's colours as CSS custom properties. Why a stylesheet
// and not a style attribute: the CSP allows no inline styles.
func Theme(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	p := t.Theme.Palette()
	css := fmt.Sprintf(":root{--brand:%s;--on-brand:%s;--accent:%s;--on-accent:%s;--link:%s}\n",
		p.Primary, p.OnPrimary, p.Accent, p.OnAccent, p.Link)
	cacheVersioned(w, r, t.Theme.Version())
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(css)))
	_, err := httpx.WriteWhole(w, []byte(css))
	return err
}

// Logo serves the tenant's logo.
func Logo(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	if t.Logo.SHA256 == "" {
		return apperr.NotFoundError()
	}
	cacheVersioned(w, r, t.Logo.SHA256[:16])
	w.Header().Set("Content-Type", t.Logo.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(t.Logo.Data)))
	_, err := httpx.WriteWhole(w, t.Logo.Data)
	return err
}

// Favicon answers the browser's automatic /favicon.ico request with the
// tenant's logo, or an empty 204 when it has none (a 404 would fill logs).
func Favicon(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	httpx.CachePublic(w, 24*time.Hour)
	if t.Logo.SHA256 == "" {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	w.Header().Set("Content-Type", t.Logo.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(t.Logo.Data)))
	_, err := httpx.WriteWhole(w, t.Logo.Data)
	return err
}

// cacheVersioned caches for a year when the URL names the current version
// (?v=), and briefly otherwise, so an old URL never pins stale content.
func cacheVersioned(w http.ResponseWriter, r *http.Request, version string) {
	if r.URL.Query().Get("v") == version {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		return
	}
	httpx.CachePublic(w, 5*time.Minute)
}
