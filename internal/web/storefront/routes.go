package storefront

import (
	"net/http"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/web"
)

// Routes registers every storefront route.
func (h *Handlers) Routes(rt *httpx.Router) {
	rt.Handle(access.Public, "GET /{$}", h.showHome)
	rt.Handle(access.Public, "GET "+web.ThemePath, web.Theme)
	rt.Handle(access.Public, "GET "+web.LogoPath, web.Logo)
	rt.Handle(access.Public, "GET /favicon.ico", web.Favicon)
	// Anything no route claims is a branded 404.
	rt.Handle(access.Public, "/", func(w http.ResponseWriter, r *http.Request) error { return apperr.NotFoundError() })
}
