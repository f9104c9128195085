package httpx

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Whole responses in one write(2).
//
// net/http writes a response through a 4 KiB buffer per connection: the
// header goes into it first, and a body that does not fit beside it leaves
// in two system calls (the full buffer, then the rest at the end of the
// request). A cached page (4-16 kB) therefore cost two writes, two TCP
// segments and two wake-ups of the client where one would do: about a
// quarter of a cached page's CPU was those writes.
//
// WholeListener wraps a plain-TCP listener so that a handler that has the
// whole body in memory can say so (WriteWhole): the connection then keeps
// what net/http writes until the header and that many body bytes are
// together, and sends them in one system call. Nothing else changes: a
// response not written with WriteWhole goes out exactly as before, and a
// connection never keeps bytes past the end of the response (see release).

// WholeListener wraps ln: each accepted TCP connection can send a response
// written with WriteWhole in one write. Only for plain TCP: under TLS the
// connection sees encrypted records, so the server wraps its listener only
// when it serves without TLS (and TLS writes a record per call anyway).
func WholeListener(ln net.Listener) net.Listener { return wholeListener{ln} }

type wholeListener struct{ net.Listener }

func (l wholeListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		return &wholeConn{TCPConn: tc}, nil
	}
	return c, nil
}

// WholeConnContext is the http.Server's ConnContext for a WholeListener: it
// puts the connection into every request's context, where AccessLog finds
// it for WriteWhole.
func WholeConnContext(ctx context.Context, c net.Conn) context.Context {
	if wc, ok := c.(*wholeConn); ok {
		return context.WithValue(ctx, wholeConnKey{}, wc)
	}
	return ctx
}

type wholeConnKey struct{}

func wholeConnFrom(ctx context.Context) *wholeConn {
	wc, _ := ctx.Value(wholeConnKey{}).(*wholeConn)
	return wc
}

// WriteWhole writes body, the whole body of the response, whose
// Content-Length the caller has set to len(body) (or left for net/http to
// count). Under a WholeListener the header and the body leave in one system
// call; elsewhere it is w.Write.
func WriteWhole(w http.ResponseWriter, body []byte) (int, error) {
	if sw, ok := w.(*statusWriter); ok && sw.conn != nil && !sw.head && bodyAllowed(sw.status) {
		sw.conn.expect(len(body))
	}
	return w.Write(body)
}

// bodyAllowed reports whether a response with this status (0: not set yet,
// 200) has a body on the wire.
func bodyAllowed(status int) bool {
	return status == 0 || status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// wholeConn is a server connection that can keep what net/http writes until
// a whole response is together.
//
// The hold starts when a handler calls WriteWhole (expect) and ends at the
// first of: the header's end and the expected body bytes are held (the
// usual case: one write of everything); or any other use of the connection
// by net/http after the handler (a deadline set or cleared, ReadFrom,
// CloseWrite), which net/http does at the end of every request, before it
// closes a connection — so a wrong count can delay bytes until the request
// ends, never lose or keep them.
type wholeConn struct {
	*net.TCPConn
	// mu guards the hold. net/http writes from the serving goroutine
	// only; the lock keeps a deadline set from a handler's goroutine
	// (http.ResponseController) from writing a hold out of turn. Close
	// takes no lock: a shutdown closes connections from another goroutine,
	// and must not wait for a write blocked on a slow client.
	mu sync.Mutex
	// holding says whether a hold is on (read without the lock on the
	// path of every write); want is the body bytes expected after the
	// header's end.
	holding atomic.Bool
	want    int
	// hold is what was written since the hold began (a pooled buffer), and
	// headerEnd the index just past the header's blank line in it, or -1.
	hold      *[]byte
	headerEnd int
	// vec and bufs are the two-part write (hold, last write), made
	// without copying the last part.
	vec  [2][]byte
	bufs net.Buffers
	// writes counts system calls that wrote (tests).
	writes atomic.Int64
}

// holdPool keeps hold buffers between responses, so an idle connection
// keeps none.
var holdPool = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

// crlfcrlf ends an HTTP/1 header.
var crlfcrlf = []byte("\r\n\r\n")

// expect begins a hold for a response whose body is n bytes.
func (c *wholeConn) expect(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.holding.Load() {
		// A hold left from a response that did not come as announced
		// (never in practice): send it before starting another.
		_ = c.releaseLocked(nil)
	}
	c.want, c.headerEnd = n, -1
	c.holding.Store(true)
}

func (c *wholeConn) Write(p []byte) (int, error) {
	if !c.holding.Load() {
		// Only the serving goroutine starts a hold, and it is the one
		// writing: no hold can begin during this write.
		c.writes.Add(1)
		return c.TCPConn.Write(p)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.holding.Load() {
		c.writes.Add(1)
		return c.TCPConn.Write(p)
	}
	var held []byte
	if c.hold != nil {
		held = *c.hold
	}
	if c.headerEnd < 0 {
		c.findHeaderEnd(held, p)
	}
	if c.headerEnd >= 0 && len(held)+len(p) >= c.headerEnd+c.want {
		// The whole response: what was held and p in one writev(2), p
		// not copied.
		if err := c.releaseLocked(p); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if c.hold == nil {
		c.hold = holdPool.Get().(*[]byte)
	}
	*c.hold = append(*c.hold, p...)
	return len(p), nil
}

// findHeaderEnd sets headerEnd when the header's blank line ends in held+p:
// across the two (the first bytes of p finishing it), or within p.
func (c *wholeConn) findHeaderEnd(held, p []byte) {
	var edge [6]byte
	n := copy(edge[:], held[max(0, len(held)-3):])
	m := copy(edge[n:], p[:min(3, len(p))])
	if i := bytes.Index(edge[:n+m], crlfcrlf); i >= 0 {
		c.headerEnd = len(held) - n + i + len(crlfcrlf)
		return
	}
	if i := bytes.Index(p, crlfcrlf); i >= 0 {
		c.headerEnd = len(held) + i + len(crlfcrlf)
	}
}

// releaseLocked ends the hold: it writes what was held, and p after it, in
// one system call. The hold ends only once that write is done, so a write
// that does not take the lock (Write's first test) cannot overtake it.
func (c *wholeConn) releaseLocked(p []byte) error {
	defer c.holding.Store(false)
	if c.hold == nil {
		if len(p) == 0 {
			return nil
		}
		c.writes.Add(1)
		_, err := c.TCPConn.Write(p)
		return err
	}
	held := *c.hold
	var err error
	c.writes.Add(1)
	if joinWrites {
		// Race builds: one write(2) of the joined bytes (see joinWrites).
		held = append(held, p...)
		_, err = c.TCPConn.Write(held)
	} else {
		// WriteTo consumes bufs (slices it down), so it is made afresh
		// from the connection's own two-slot array each time: no
		// allocation.
		c.vec = [2][]byte{held, p}
		c.bufs = c.vec[:]
		_, err = c.bufs.WriteTo(c.TCPConn)
		c.vec, c.bufs = [2][]byte{}, nil
	}
	if cap(held) <= 64<<10 {
		*c.hold = held[:0]
		holdPool.Put(c.hold)
	}
	c.hold = nil
	return err
}

// release ends a hold, if one is on, before another use of the connection.
func (c *wholeConn) release() error {
	if !c.holding.Load() {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.holding.Load() {
		return nil
	}
	return c.releaseLocked(nil)
}

// SetDeadline, SetReadDeadline, SetWriteDeadline, ReadFrom and CloseWrite
// end a hold first: net/http calls one of them at the end of every request,
// after its last write and before it closes a connection, so nothing waits
// past the request. Close does not: the serving goroutine has released any
// hold by then, and a close from elsewhere (shutdown) cuts the response
// anyway.

func (c *wholeConn) SetDeadline(t time.Time) error {
	err := c.release()
	return joinFirst(err, c.TCPConn.SetDeadline(t))
}

func (c *wholeConn) SetReadDeadline(t time.Time) error {
	err := c.release()
	return joinFirst(err, c.TCPConn.SetReadDeadline(t))
}

func (c *wholeConn) SetWriteDeadline(t time.Time) error {
	err := c.release()
	return joinFirst(err, c.TCPConn.SetWriteDeadline(t))
}

// ReadFrom keeps net/http's sendfile path for files (the TCP connection's
// own ReadFrom).
func (c *wholeConn) ReadFrom(r io.Reader) (int64, error) {
	if err := c.release(); err != nil {
		return 0, err
	}
	return c.TCPConn.ReadFrom(r)
}

func (c *wholeConn) CloseWrite() error {
	err := c.release()
	return joinFirst(err, c.TCPConn.CloseWrite())
}

// joinFirst returns the first non-nil error.
func joinFirst(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
