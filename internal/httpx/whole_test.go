package httpx

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// connsListener remembers the connections a WholeListener accepts, so a
// test can count their writes.
type connsListener struct {
	net.Listener
	mu    sync.Mutex
	conns []*wholeConn
}

func (l *connsListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if wc, ok := c.(*wholeConn); ok {
		l.mu.Lock()
		l.conns = append(l.conns, wc)
		l.mu.Unlock()
	}
	return c, err
}

func (l *connsListener) writes(t *testing.T) int {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.conns) != 1 {
		t.Fatalf("%d connections, want 1 (keep-alive)", len(l.conns))
	}
	c := l.conns[0]
	// The hold ends just after its write returns, which may be after the
	// client has read the response.
	for i := 0; c.holding.Load(); i++ {
		if i == 100 {
			t.Fatal("a hold outlived its response")
		}
		time.Sleep(time.Millisecond)
	}
	return int(c.writes.Load())
}

// TestWholeResponseOneWrite serves bodies of many sizes around net/http's
// 4 KiB buffer through WriteWhole, and others without it, over one
// keep-alive connection: each whole response arrives intact and, written
// with WriteWhole, in one system call; HEAD, 304 and streamed responses
// are unchanged, and a hold that miscounts (body written before
// WriteWhole, more announced than written) still delivers the response
// by the end of its request.
func TestWholeResponseOneWrite(t *testing.T) {
	sizes := []int{0, 1, 100, 2047, 2048, 3000, 3300, 4000, 4096, 4097, 5000, 8192, 16000, 100000}
	body := func(n int) []byte {
		b := bytes.Repeat([]byte("abcdefghij\r\n\r\n"), n/14+1)
		return b[:n]
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/whole", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		w.Header().Set("Content-Length", strconv.Itoa(n))
		if r.URL.Query().Has("304") {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		_, _ = WriteWhole(w, body(n))
	})
	mux.HandleFunc("/nolength", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		_, _ = WriteWhole(w, body(n)) // net/http counts or chunks it
	})
	mux.HandleFunc("/plain", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		_, _ = w.Write(body(n))
	})
	mux.HandleFunc("/prefixed", func(w http.ResponseWriter, r *http.Request) {
		// Some body before WriteWhole: the hold ends short of the
		// response, and the rest follows in a write of its own.
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		w.Header().Set("Content-Length", strconv.Itoa(3+n))
		_, _ = w.Write([]byte("abc"))
		_, _ = WriteWhole(w, body(n))
	})
	mux.HandleFunc("/overcount", func(w http.ResponseWriter, r *http.Request) {
		// A hold that waits for more than comes: net/http's end of the
		// request ends it.
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		w.(*statusWriter).conn.expect(n + 100)
		w.Header().Set("Content-Length", strconv.Itoa(n))
		_, _ = w.Write(body(n))
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("first"))
		w.(http.Flusher).Flush()
		_, _ = w.Write([]byte("second"))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &connsListener{Listener: WholeListener(ln)}
	srv := &http.Server{
		Handler:           AccessLog(slog.New(slog.DiscardHandler), nil, mux),
		ConnContext:       WholeConnContext,
		ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout:      5 * time.Second,
	}
	go func() { _ = srv.Serve(cl) }()
	t.Cleanup(func() { _ = srv.Close() })
	client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxConnsPerHost: 1}}
	base := "http://" + ln.Addr().String()

	get := func(method, path string, want []byte) int {
		t.Helper()
		before := cl.writesOrZero()
		req, _ := http.NewRequest(method, base+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		got, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		if want != nil && !bytes.Equal(got, want) {
			t.Fatalf("%s %s: %d bytes back, want %d", method, path, len(got), len(want))
		}
		return cl.writes(t) - before
	}
	for _, n := range sizes {
		q := "?n=" + strconv.Itoa(n)
		if w := get("GET", "/whole"+q, body(n)); w != 1 {
			t.Errorf("WriteWhole of %d bytes: %d writes, want 1", n, w)
		}
		if w := get("GET", "/nolength"+q, body(n)); n <= 2048 && w != 1 {
			t.Errorf("WriteWhole of %d bytes without Content-Length: %d writes, want 1", n, w)
		}
		get("GET", "/plain"+q, body(n))
		get("GET", "/prefixed"+q, append([]byte("abc"), body(n)...))
		get("GET", "/overcount"+q, body(n))
		get("HEAD", "/whole"+q, []byte{})
		get("GET", "/whole"+q+"&304", []byte{})
		if w := get("GET", "/stream", []byte("firstsecond")); w < 2 {
			t.Errorf("a flushed response went out in %d writes: the flush was held", w)
		}
	}
	// Without the statusWriter (no AccessLog) WriteWhole is a plain write.
	rec := &bytes.Buffer{}
	if _, err := WriteWhole(writerOnly{rec}, []byte("x")); err != nil || rec.String() != "x" {
		t.Fatalf("WriteWhole without a whole connection: %q %v", rec.String(), err)
	}
}

func (l *connsListener) writesOrZero() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.conns) == 0 {
		return 0
	}
	return int(l.conns[0].writes.Load())
}

// writerOnly is a ResponseWriter that only writes into a buffer.
type writerOnly struct{ b *bytes.Buffer }

func (w writerOnly) Header() http.Header         { return http.Header{} }
func (w writerOnly) Write(p []byte) (int, error) { return w.b.Write(p) }
func (w writerOnly) WriteHeader(int)             {}

// BenchmarkWholeResponse serves a cached home page's size (5 kB) and a
// catalog page's (16 kB) over loopback keep-alive, through a plain listener
// and a WholeListener; cpu-ns/op is the process's CPU (server, client and
// the kernel's loopback work for both) per response.
func BenchmarkWholeResponse(b *testing.B) {
	for _, whole := range []bool{false, true} {
		for _, n := range []int{5000, 16000} {
			name := "plain/" + strconv.Itoa(n)
			if whole {
				name = "whole/" + strconv.Itoa(n)
			}
			b.Run(name, func(b *testing.B) {
				page := bytes.Repeat([]byte("x"), n)
				h := AccessLog(slog.New(slog.DiscardHandler), nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Length", strconv.Itoa(len(page)))
					_, _ = WriteWhole(w, page)
				}))
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					b.Fatal(err)
				}
				srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
				sl := ln
				if whole {
					sl = WholeListener(ln)
					srv.ConnContext = WholeConnContext
				}
				go func() { _ = srv.Serve(sl) }()
				defer func() { _ = srv.Close() }()
				client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
				url := "http://" + ln.Addr().String() + "/"
				b.ReportAllocs()
				cpu := processCPU()
				for b.Loop() {
					resp, err := client.Get(url)
					if err != nil {
						b.Fatal(err)
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				}
				b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
