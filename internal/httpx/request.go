// Package httpx is Salve's HTTP plumbing: handlers that return errors and the
// one adapter that turns errors into responses, the middleware every request
// passes (request id, client address, security headers, CSRF protection, panic
// recovery, access log), and the router that requires a class for every route.
package httpx

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
)

// Info is what Salve knows about a request beyond net/http: one value in the
// context, filled as the request goes through the middleware and the router.
type Info struct {
	ID       string       // request id, also sent as X-Request-Id
	ClientIP netip.Addr   // the client's address, after trusted proxies
	Start    time.Time    // when the request arrived
	Pattern  string       // the matched route pattern, never the raw path
	Class    access.Class // the matched route's class
	JSON     bool         // the matched route answers in JSON (httpx.JSON)
}

type infoKey struct{}

// InfoFrom returns the request's Info; a zero Info outside a request.
func InfoFrom(ctx context.Context) *Info {
	if i, ok := ctx.Value(infoKey{}).(*Info); ok {
		return i
	}
	return &Info{}
}

// RequestID returns the request id in ctx, or "".
func RequestID(ctx context.Context) string { return InfoFrom(ctx).ID }

// WithInfo returns ctx carrying i (for tests and background work that belongs to
// a request).
func WithInfo(ctx context.Context, i *Info) context.Context {
	return context.WithValue(ctx, infoKey{}, i)
}

// newRequestID returns 16 hex characters. math/rand/v2's global generator is
// ChaCha8 seeded by the OS: unpredictable enough for correlating logs, which is
// all a request id is for (it grants nothing).
func newRequestID() string {
	var b [16]byte
	v := rand.Uint64() //nolint:gosec // a request id grants nothing; see above
	const hex = "0123456789abcdef"
	for i := range b {
		b[i] = hex[v>>(60-4*i)&0xf]
	}
	return string(b[:])
}

// validRequestID accepts an incoming X-Request-Id from a trusted proxy only when
// it is short and plain, so it cannot inject anything into logs.
func validRequestID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// RequestContext starts every request: it assigns the request id (echoed in
// X-Request-Id) and works out the client address. X-Forwarded-For and an
// incoming X-Request-Id are believed only from the trusted proxies; anyone else
// could forge them to hide their address in the audit log.
func RequestContext(trusted []netip.Prefix, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := &Info{Start: time.Now()}
		peer := peerAddr(r.RemoteAddr)
		info.ClientIP = peer
		fromProxy := isTrusted(peer, trusted)
		if fromProxy {
			info.ClientIP = forwardedFor(r.Header.Values("X-Forwarded-For"), peer, trusted)
			if id := r.Header.Get("X-Request-Id"); validRequestID(id) {
				info.ID = id
			}
		}
		if info.ID == "" {
			info.ID = newRequestID()
		}
		w.Header()["X-Request-Id"] = []string{info.ID}
		ctx := context.WithValue(r.Context(), infoKey{}, info)
		// Every audit event appended while serving the request carries where
		// it came from (DESIGN §5: request id, source IP, user agent).
		src := audit.Source{RequestID: info.ID, UserAgent: r.UserAgent()}
		if info.ClientIP.IsValid() {
			src.IP = info.ClientIP.String()
		}
		next.ServeHTTP(w, r.WithContext(audit.WithSource(ctx, src)))
	})
}

func peerAddr(remote string) netip.Addr {
	if ap, err := netip.ParseAddrPort(remote); err == nil {
		return ap.Addr().Unmap()
	}
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedFor walks X-Forwarded-For from the right, skipping trusted proxies;
// the first untrusted address is the client. Addresses further left were
// written by the client itself and prove nothing.
func forwardedFor(values []string, peer netip.Addr, trusted []netip.Prefix) netip.Addr {
	var hops []string
	for _, v := range values {
		for h := range strings.SplitSeq(v, ",") {
			hops = append(hops, strings.TrimSpace(h))
		}
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(hops[i])
		if err != nil {
			break
		}
		client = a.Unmap()
		if !isTrusted(client, trusted) {
			break
		}
	}
	return client
}

// LogHandler wraps a slog handler so that every record logged with a request's
// context carries its request id.
func LogHandler(h slog.Handler) slog.Handler { return logHandler{h} }

type logHandler struct{ slog.Handler }

func (l logHandler) Handle(ctx context.Context, r slog.Record) error {
	if i, ok := ctx.Value(infoKey{}).(*Info); ok && i.ID != "" {
		r.AddAttrs(slog.String("request_id", i.ID))
	}
	return l.Handler.Handle(ctx, r)
}

func (l logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return logHandler{l.Handler.WithAttrs(as)}
}

func (l logHandler) WithGroup(name string) slog.Handler { return logHandler{l.Handler.WithGroup(name)} }
