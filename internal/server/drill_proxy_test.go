package server_test

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// drillProxy is the small load balancer of the drills: round robin over the
// replicas, with a passive health check as real ones have. A replica that
// fails to answer is left out for half a second (then tried again: a
// restarted replica comes back by itself); a GET or HEAD that failed is
// sent to the next replica, while any other request answers 502 (a load
// balancer does not repeat a checkout: the replica may have placed the order
// before it died).
type drillProxy struct {
	URL      string
	mu       sync.Mutex
	backends []string
	downTill map[string]time.Time
	next     atomic.Uint64
	// firstFailure is when a replica first failed to answer (unix nanos).
	firstFailure atomic.Int64
}

// startDrillProxy serves the proxy on loopback until the test ends.
func startDrillProxy(t *testing.T, backends []string) *drillProxy {
	t.Helper()
	p := &drillProxy{backends: backends, downTill: map[string]time.Time{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: p}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	p.URL = "http://" + ln.Addr().String()
	return p
}

// SetBackends changes the replicas the proxy sends to.
func (p *drillProxy) SetBackends(backends []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.backends = backends
}

// live returns the replicas not left out now.
func (p *drillProxy) live() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	var out []string
	for _, b := range p.backends {
		if now.After(p.downTill[b]) {
			out = append(out, b)
		}
	}
	return out
}

func (p *drillProxy) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	live := p.live()
	retry := req.Method == http.MethodGet || req.Method == http.MethodHead
	for range len(live) {
		b := live[p.next.Add(1)%uint64(len(live))]
		u, _ := url.Parse(b)
		failed := false
		rp := httputil.NewSingleHostReverseProxy(u)
		rp.ErrorHandler = func(http.ResponseWriter, *http.Request, error) { failed = true }
		rec := &bufferedWriter{header: http.Header{}}
		rp.ServeHTTP(rec, req)
		if !failed {
			rec.flush(w)
			return
		}
		p.mu.Lock()
		p.downTill[b] = time.Now().Add(500 * time.Millisecond)
		p.mu.Unlock()
		p.firstFailure.CompareAndSwap(0, time.Now().UnixNano())
		if !retry {
			break
		}
	}
	http.Error(w, "no replica answered", http.StatusBadGateway)
}

// bufferedWriter holds a proxied answer until it is known to be whole.
type bufferedWriter struct {
	header http.Header
	status int
	body   []byte
}

func (b *bufferedWriter) Header() http.Header { return b.header }
func (b *bufferedWriter) WriteHeader(s int)   { b.status = s }
func (b *bufferedWriter) Write(p []byte) (int, error) {
	b.body = append(b.body, p...)
	return len(p), nil
}
func (b *bufferedWriter) flush(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body)
}
