package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/httpx"
)

// Routes registers the API routes. Products are public data: their routes are
// class Public (no token needed), with JSON errors. Query parameters that
// openapi.json does not describe are refused (described).
func (h *Handlers) Routes(rt *httpx.Router) {
	rt.Handle(access.Public, "GET /api/v1/products", described(h.listProducts), httpx.JSON())
	rt.Handle(access.Public, "GET /api/v1/products/{slug}", described(h.showProduct), httpx.JSON())
	rt.Handle(access.Public, "GET /api/v1/openapi.json", serveOpenAPI, httpx.JSON(), httpx.NoTenant())
	// Any other path under /api/v1 (any method) is a JSON 404: a program
	// asking for a path that does not exist gets a problem it can read.
	rt.Handle(access.Public, "/api/v1/", notFound, httpx.JSON(), httpx.NoTenant())
}

func serveOpenAPI(w http.ResponseWriter, _ *http.Request) error {
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Content-Length", strconv.Itoa(len(openAPI)))
	httpx.CachePublic(w, time.Hour)
	_, err := w.Write(openAPI)
	return err
}
