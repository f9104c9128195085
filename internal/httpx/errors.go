package httpx

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"

	"github.com/salvehealth/salve/internal/apperr"
)

// Handler is an HTTP handler that returns an error instead of writing one. The
// router passes a returned error to the Responder, the one place that decides
// how errors look and logs them.
type Handler func(w http.ResponseWriter, r *http.Request) error

// HTMLErrorPage renders an error as a page of the request's tenant.
type HTMLErrorPage func(w http.ResponseWriter, r *http.Request, status int, title, message string, fields map[string]string) error

// Responder turns errors into responses.
type Responder struct {
	log  *slog.Logger
	html HTMLErrorPage // nil: plain text
}

// NewResponder returns a Responder that logs to log and renders HTML errors with
// html (plain text when nil).
func NewResponder(log *slog.Logger, html HTMLErrorPage) *Responder {
	return &Responder{log: log, html: html}
}

// Status maps an error code to its HTTP status. Denied is 404 like NotFound:
// a denial must not confirm that a record exists (DESIGN §2.4).
func Status(code apperr.Code) int {
	switch code {
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.NotFound, apperr.Denied:
		return http.StatusNotFound
	case apperr.Unauthenticated:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.RateLimited:
		return http.StatusTooManyRequests
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// FormStatus is the status of a form shown again with the messages of an
// error of this code: Status, except that Invalid is 422 rather than 400 (the
// request was well formed; what was typed needs fixing).
func FormStatus(code apperr.Code) int {
	if code == apperr.Invalid {
		return http.StatusUnprocessableEntity
	}
	return Status(code)
}

// Error writes the response for err: a page or application/problem+json,
// whichever the client accepts (always JSON on API and device routes). Internal
// errors are logged once here, with the request id; their cause is never shown.
func (rs *Responder) Error(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = apperr.Wrap(err, apperr.TooLarge, "The request is larger than "+strconv.FormatInt(mbe.Limit, 10)+" bytes.")
	}
	var redirect *RedirectError
	if errors.As(err, &redirect) && !WantsJSON(r) {
		w.Header().Set("Cache-Control", "no-store")
		if r.Header.Get("HX-Request") == "true" {
			// htmx follows a redirect inside the swap; make it a page load.
			w.Header().Set("HX-Redirect", redirect.URL)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		http.Redirect(w, r, redirect.URL, http.StatusSeeOther)
		return
	}
	code := apperr.CodeOf(err)
	status := Status(code)
	ctx := r.Context()
	info := InfoFrom(ctx)
	if answerBegan(w) {
		// The status line and part of the body are out: an error page now
		// would only be written after them (and net/http refuses a second
		// header). Nothing more is sent. A client that went away (a closed
		// tab, a benchmark's last connections) is no error of ours.
		if clientGone(err) {
			rs.log.DebugContext(ctx, "client went away during the answer", "pattern", info.Pattern)
		} else {
			rs.log.ErrorContext(ctx, "request failed after its answer began", "pattern", info.Pattern, "code", string(code), "err", err)
		}
		return
	}
	switch {
	case status >= 500:
		rs.log.ErrorContext(ctx, "request failed", "pattern", info.Pattern, "code", string(code), "err", err)
	case code == apperr.Denied:
		rs.log.InfoContext(ctx, "request denied", "pattern", info.Pattern, "err", err)
	default:
		rs.log.DebugContext(ctx, "request error", "pattern", info.Pattern, "code", string(code), "err", err)
	}

	msg := apperr.SafeMessage(err)
	var fields map[string]string
	if e := apperr.As(err); e != nil && code != apperr.Internal {
		fields = e.Fields
	}
	title := http.StatusText(status)
	if code == apperr.Denied {
		title = http.StatusText(http.StatusNotFound)
	}
	if code == apperr.RateLimited {
		w.Header().Set("Retry-After", "60")
	}
	// An error must never be cached, even on a route that meant to be public.
	w.Header().Set("Cache-Control", "no-store")
	if rs.html == nil || WantsJSON(r) {
		writeProblem(w, status, title, msg, info.ID, fields)
		return
	}
	if err := rs.html(w, r, status, title, msg, fields); err != nil {
		rs.log.ErrorContext(ctx, "rendering the error page failed", "err", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(title + "\n" + msg + "\n"))
	}
}

// answerBegan reports whether the response's header was written already (by
// the access log's statusWriter, found through Unwrap).
func answerBegan(w http.ResponseWriter) bool {
	for w != nil {
		if sw, ok := w.(*statusWriter); ok {
			return sw.status != 0
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return false
		}
		w = u.Unwrap()
	}
	return false
}

// clientGone reports whether err is a write to a connection the client
// closed.
func clientGone(err error) bool {
	return errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed)
}

// RedirectError sends a browser elsewhere (to sign in, or to finish signing
// in); a JSON client gets the wrapped error instead, 401 for Unauthenticated.
type RedirectError struct {
	URL string // a local path
	Err error  // what a JSON client is told
}

func (e *RedirectError) Error() string { return "redirect to " + e.URL + ": " + e.Err.Error() }

// Unwrap returns the error a JSON client gets.
func (e *RedirectError) Unwrap() error { return e.Err }

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	Errors    map[string]string `json:"errors,omitempty"`
}

func writeProblem(w http.ResponseWriter, status int, title, detail, requestID string, fields map[string]string) {
	b, _ := json.Marshal(Problem{Type: "about:blank", Title: title, Status: status, Detail: detail, RequestID: requestID, Errors: fields})
	_ = writeBody(w, status, "application/problem+json", b)
}

// WantsJSON reports whether the response should be JSON: on API and device
// routes always, elsewhere when the client prefers JSON to HTML.
func WantsJSON(r *http.Request) bool {
	if info := InfoFrom(r.Context()); info.Class.JSON() || info.JSON {
		return true
	}
	accept := r.Header.Get("Accept")
	if accept == "" {
		return false
	}
	var htmlQ, jsonQ float64 = -1, -1
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && k == "q" {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
		}
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "text/html", "application/xhtml+xml":
			htmlQ = max(htmlQ, q)
		case "application/json", "application/problem+json":
			jsonQ = max(jsonQ, q)
		}
	}
	return jsonQ > 0 && jsonQ > htmlQ
}

// WriteJSON writes v as JSON with the status: the one JSON writer of every
// surface (errors go through Responder as problem documents).
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return apperr.Internalf("encode json: %w", err)
	}
	return writeBody(w, status, "application/json", b)
}

// writeBody writes a JSON document and its closing newline.
func writeBody(w http.ResponseWriter, status int, contentType string, b []byte) error {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	_, err := w.Write(append(b, '\n'))
	return err
}
