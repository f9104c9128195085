package httpx

import "net/http"

// httpHandler returns a handler that passes the request's Info to f.
func httpHandler(f func(*Info)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { f(InfoFrom(r.Context())) })
}
