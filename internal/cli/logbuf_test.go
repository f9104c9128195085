package cli

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/config"
)

// lockedBuffer is a bytes.Buffer safe for the flush timer's goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServerLogBatches: before Batch lines are written at once; after it an
// info line waits (at most logFlushEvery), a warning writes itself and what
// waited before it, a full buffer is written, and Close writes the rest and
// goes back to writing at once. No line is lost or reordered.
func TestServerLogBatches(t *testing.T) {
	var out lockedBuffer
	log, lines := newServerLogger(&config.Config{LogFormat: "text"}, &out)
	log.Info("starting")
	if !strings.Contains(out.String(), "msg=starting") {
		t.Fatalf("before Batch a line is written at once: %q", out.String())
	}
	lines.Batch()
	log.Info("request", "n", 1)
	if strings.Contains(out.String(), "n=1") {
		t.Fatalf("a batched info line was written at once: %q", out.String())
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "n=1") {
		if time.Now().After(deadline) {
			t.Fatal("the waiting line was never written")
		}
		time.Sleep(5 * time.Millisecond)
	}
	log.Info("request", "n", 2)
	log.Warn("trouble")
	if s := out.String(); !strings.Contains(s, "n=2") || !strings.Contains(s, "msg=trouble") || strings.Index(s, "n=2") > strings.Index(s, "msg=trouble") {
		t.Fatalf("a warning writes what waited, then itself: %q", s)
	}
	before := len(out.String())
	big := strings.Repeat("x", 1000)
	for range logBufferMax/1000 + 2 {
		log.Info("request", "pad", big)
	}
	if len(out.String()) == before {
		t.Fatal("a full buffer is written without waiting for the timer")
	}
	log.Info("request", "n", 3)
	lines.Close()
	s := out.String()
	if !strings.HasSuffix(strings.TrimSpace(s), "n=3") {
		t.Fatalf("Close writes what waits: %q", s[max(0, len(s)-200):])
	}
	log.Info("stopped")
	if !strings.Contains(out.String(), "msg=stopped") {
		t.Fatal("after Close a line is written at once")
	}
	if n := strings.Count(out.String(), "\n"); n != 2+2+logBufferMax/1000+2+2 {
		t.Fatalf("%d lines, want every line once", n)
	}
}
