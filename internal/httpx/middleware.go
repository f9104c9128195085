package httpx

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
)

// The security headers sent with every response. The values are built once;
// setting them per request is a map assignment.
var (
	// Why this CSP: scripts, styles, images, fonts and connections come from our
	// own origin only, so no third party ever sees a page view (no PHI leaves,
	// DESIGN §2.6) and an injected inline script cannot run; 'unsafe-inline' is
	// never allowed. No framing (clickjacking), no plugins, no <base> rewriting,
	// forms post only to us.
	headerCSP = []string{"default-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; form-action 'self'"}
	// Browsers must not guess content types (a user upload sniffed as HTML).
	headerNoSniff = []string{"nosniff"}
	// URLs never leave in a Referer: even ids in paths say who looked at what.
	headerReferrer = []string{"no-referrer"}
	// Powerful features are off; WebAuthn stays available to this origin only.
	// Bluetooth too (its default would be our own origin): only the devices
	// page turns it on (AllowBluetooth).
	headerPermissions = []string{permissionsOff + ", bluetooth=()"}
	// headerPermissionsBluetooth is the same with Web Bluetooth allowed to
	// this origin's document (not to frames of others: there are none, and
	// frame-ancestors 'none' keeps us out of theirs).
	headerPermissionsBluetooth = []string{permissionsOff + ", bluetooth=(self)"}
	// For browsers that predate frame-ancestors.
	headerFrame = []string{"DENY"}
	// Isolate our windows and resources from other origins.
	headerCOOP = []string{"same-origin"}
	headerCORP = []string{"same-origin"}
	// Responses are personal unless a handler says otherwise: nothing is stored
	// by browsers or shared caches by default.
	headerNoStore = []string{"no-store"}
	// Two years, subdomains included, once served over TLS.
	headerHSTS = []string{"max-age=63072000; includeSubDomains"}
)

const permissionsOff = "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=(), serial=(), hid=(), browsing-topics=(), publickey-credentials-create=(self), publickey-credentials-get=(self)"

// AllowBluetooth lets the page being answered use Web Bluetooth: the
// devices page, which reads a meter with it (issue 22). Why one page and
// not every page: a script injected anywhere else still cannot reach a
// Bluetooth device, and the browser's chooser is only ever offered where
// the patient went to connect a meter. The CSP is untouched.
func AllowBluetooth(w http.ResponseWriter) {
	w.Header()["Permissions-Policy"] = headerPermissionsBluetooth
}

// SecurityHeaders sets the security headers on every response, and HSTS when
// the connection is TLS. Cache-Control starts as no-store; a handler of public,
// non-personal content may replace it (CachePublic).
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Content-Security-Policy"] = headerCSP
		h["X-Content-Type-Options"] = headerNoSniff
		h["Referrer-Policy"] = headerReferrer
		h["Permissions-Policy"] = headerPermissions
		h["X-Frame-Options"] = headerFrame
		h["Cross-Origin-Opener-Policy"] = headerCOOP
		h["Cross-Origin-Resource-Policy"] = headerCORP
		h["Cache-Control"] = headerNoStore
		if r.TLS != nil {
			h["Strict-Transport-Security"] = headerHSTS
		}
		next.ServeHTTP(w, r)
	})
}

// CachePublic marks a response as public and cacheable for maxAge. Only for
// content that is the same for every visitor and holds nothing personal.
func CachePublic(w http.ResponseWriter, maxAge time.Duration) {
	w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(maxAge.Seconds())))
}

// Recover turns a panic into a safe 500 page. It logs the stack, but not the
// panic value unless it is a runtime error: a value passed to panic can be
// anything, PHI included, while a runtime error only says what went wrong.
func Recover(log *slog.Logger, rs *Responder, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Under AccessLog, w is its statusWriter already: it says whether
		// the header went out, with no second wrapper on every write.
		sw, ok := w.(*statusWriter)
		if !ok {
			sw = &statusWriter{ResponseWriter: w}
		}
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler { //nolint:errorlint // the sentinel is compared by identity, as net/http does
				panic(p)
			}
			what := fmt.Sprintf("panic of type %T", p)
			if re, ok := p.(runtime.Error); ok {
				what = "panic: " + re.Error()
			}
			log.ErrorContext(r.Context(), "handler panicked", "pattern", InfoFrom(r.Context()).Pattern, "panic", what, "stack", string(debug.Stack()))
			if sw.status != 0 {
				// Too late for an error page; cut the connection so the client
				// sees a failure rather than a truncated success.
				panic(http.ErrAbortHandler)
			}
			rs.Error(sw, r, apperr.Internalf("%s", what))
		}()
		next.ServeHTTP(sw, r)
	})
}

// CSRF rejects cross-origin state-changing requests from browsers.
//
// Why http.CrossOriginProtection rather than tokens: browsers tell us where a
// request comes from (Sec-Fetch-Site, Origin), and checking that needs no
// per-session token in every form, so public pages stay cacheable and there is no
// token to leak. SameSite=Lax session cookies are a second layer.
//
// One addition: CrossOriginProtection lets a request with neither header
// through, assuming a non-browser client. Such clients authenticate with tokens,
// not our cookies, so an unsafe request that carries cookies but neither header
// is refused as well (every current browser sends Origin on POST).
func CSRF(rs *Responder, next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	deny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs.Error(w, r, apperr.New(apperr.Forbidden, "This request came from another site and was refused."))
	})
	cop.SetDenyHandler(deny)
	strict := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			if r.Header.Get("Sec-Fetch-Site") == "" && r.Header.Get("Origin") == "" && len(r.Header.Values("Cookie")) > 0 {
				deny(w, r)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
	return cop.Handler(strict)
}

// Observer receives one call per finished request (metrics).
type Observer func(method, pattern string, status int, d time.Duration)

// AccessLog logs one line per request and reports it to the observer. Why it
// logs the route pattern and never the path or query: paths and queries can say
// what someone looked for (a search for a diagnosis, a product slug), and logs
// must hold no PHI. Client addresses stay out for the same reason; the audit log
// records them where access to PHI happens.
func AccessLog(log *slog.Logger, observe Observer, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, conn: wholeConnFrom(r.Context()), head: r.Method == http.MethodHead}
		next.ServeHTTP(sw, r)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		info := InfoFrom(r.Context())
		pattern := info.Pattern
		if pattern == "" {
			pattern = "unmatched"
		}
		d := time.Since(info.Start)
		if observe != nil {
			observe(r.Method, pattern, status, d)
		}
		log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("pattern", pattern),
			slog.Int("status", status), slog.Int64("bytes", sw.bytes),
			slog.Duration("duration", d))
	})
}

// statusWriter remembers the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	// conn is the connection when it can send a whole response in one
	// write (WholeListener), nil otherwise; head says the request is a
	// HEAD, whose response has no body on the wire.
	conn *wholeConn
	head bool
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer (Flush,
// deadlines, hijacking).
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Flush passes flushes through (server-sent events, streaming exports).
func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack passes hijacking through.
func (s *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := s.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("hijacking not supported")
}
