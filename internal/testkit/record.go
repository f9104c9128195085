package testkit

import (
	"net/http"
	"net/http/httptest"

	"github.com/salvehealth/salve/internal/httpx"
)

// Record runs one request through h with the request context middleware and
// returns the recorded response.
func Record(h http.Handler, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	httpx.RequestContext(nil, h).ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}
