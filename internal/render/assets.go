package render

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/salvehealth/salve/internal/httpx"
)

// Assets are the embedded static files, each served at a URL that contains a
// hash of its content (/static/app.3f9a1c2b7e.css). Why: a changed file gets a
// new URL, so every file can be cached by browsers and CDNs for a year without
// ever serving a stale one.
type Assets struct {
	byURL  map[string]*asset // "/static/app.3f9a1c2b7e.css" -> asset
	byName map[string]string // "app.css" -> its URL
}

type asset struct {
	contentType string
	body        []byte
	gz          []byte // nil when compression does not pay
	etag        string
}

// StaticPrefix is where assets are served.
const StaticPrefix = "/static/"

// NewAssets hashes every file of fsys. README files stay out.
func NewAssets(fsys fs.FS) (*Assets, error) {
	a := &Assets{byURL: make(map[string]*asset), byName: make(map[string]string)}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(path.Base(name), "README") {
			return err
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:5])
		ext := path.Ext(name)
		url := StaticPrefix + strings.TrimSuffix(name, ext) + "." + hash + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "text/plain; charset=utf-8"
		}
		as := &asset{contentType: ct, body: body, etag: `"` + hash + `"`}
		if compressible(ct) && len(body) > 1024 {
			var b bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
			_, _ = zw.Write(body)
			if err := zw.Close(); err != nil {
				return err
			}
			if b.Len() < len(body)*9/10 {
				as.gz = b.Bytes()
			}
		}
		a.byURL[url] = as
		a.byName[name] = url
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load static assets: %w", err)
	}
	return a, nil
}

func compressible(ct string) bool {
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "javascript") || strings.Contains(ct, "json") || strings.Contains(ct, "svg")
}

// URL returns the content-hash URL of a static file, or an error naming it.
func (a *Assets) URL(name string) (string, error) {
	if u, ok := a.byName[name]; ok {
		return u, nil
	}
	return "", fmt.Errorf("no static asset %q", name)
}

// ServeHTTP serves an asset by its content-hash URL, with a year-long immutable
// cache and gzip when the client takes it. Unknown URLs are 404.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	as, ok := a.byURL[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", as.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", as.etag)
	h.Set("Vary", "Accept-Encoding")
	if r.Header.Get("If-None-Match") == as.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := as.body
	if as.gz != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = as.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = httpx.WriteWhole(w, body)
	}
}

func acceptsGzip(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
