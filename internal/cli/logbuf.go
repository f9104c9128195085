package cli

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/salvehealth/salve/internal/config"
)

// logFlushEvery is how long a log line of a serving process may wait in
// memory before it is written (docs/operations.md, "Logs").
const logFlushEvery = 100 * time.Millisecond

// logBufferMax is how many bytes of lines are held before they are written
// at once, whatever the time.
const logBufferMax = 64 << 10

// lineBuffer holds a serving process's log lines and writes them in batches:
// after logFlushEvery, when logBufferMax bytes are waiting, at once after a
// warning or an error (flushingHandler), and when the server stops (Close).
// It batches only once the server listens (Batch): before, lines are written
// as they come, in step with the demo's progress line on the terminal.
//
// Why: a server logs one line per request (the access log), and writing each
// line to stderr was one write(2) per request, a few per cent of the CPU of
// a cached catalog page (measured with perf on the demo under wrk). Batched,
// a busy server writes its log a few times a second. What it costs: lines of
// the last logFlushEvery are lost if the process is killed (SIGKILL, OOM);
// warnings and errors are not held. The timer runs only while lines wait, so
// an idle server does not wake up for it.
type lineBuffer struct {
	mu    sync.Mutex
	w     io.Writer
	buf   []byte
	timer *time.Timer // armed while buf holds lines
	batch bool        // between Batch and Close
}

func newLineBuffer(w io.Writer) *lineBuffer {
	b := &lineBuffer{w: w, buf: make([]byte, 0, 4<<10)}
	b.timer = time.AfterFunc(time.Hour, b.Flush)
	b.timer.Stop()
	return b
}

// Write takes one or more whole lines (slog's handlers write each record in
// one call). It never fails: a failure to write stderr shows nowhere anyway.
func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.batch {
		_, _ = b.w.Write(p)
		return len(p), nil
	}
	if len(b.buf)+len(p) > logBufferMax {
		b.flushLocked()
	}
	if len(b.buf) == 0 {
		b.timer.Reset(logFlushEvery)
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// Flush writes what is waiting.
func (b *lineBuffer) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
}

func (b *lineBuffer) flushLocked() {
	b.timer.Stop()
	if len(b.buf) == 0 {
		return
	}
	_, _ = b.w.Write(b.buf)
	// A burst's large buffer is let go rather than kept for ever.
	if cap(b.buf) > logBufferMax {
		b.buf = make([]byte, 0, 4<<10)
	} else {
		b.buf = b.buf[:0]
	}
}

// Batch starts batching lines.
func (b *lineBuffer) Batch() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.batch = true
}

// Close writes what is waiting; later lines are written at once.
func (b *lineBuffer) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
	b.batch = false
}

// flushingHandler writes the buffer out after every record at warning level
// or above, so that a warning or an error is on stderr when it is logged.
type flushingHandler struct {
	slog.Handler
	buf *lineBuffer
}

func (h flushingHandler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		h.buf.Flush()
	}
	return err
}

func (h flushingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return flushingHandler{h.Handler.WithAttrs(as), h.buf}
}

func (h flushingHandler) WithGroup(name string) slog.Handler {
	return flushingHandler{h.Handler.WithGroup(name), h.buf}
}

// newServerLogger is newLogger for a serving process (serve, demo): its
// lines are batched (lineBuffer) from the call of Batch on. Close the buffer
// when the process is done logging: it writes what is waiting.
func newServerLogger(cfg *config.Config, w io.Writer) (*slog.Logger, *lineBuffer) {
	b := newLineBuffer(w)
	log := newLogger(cfg, b)
	return slog.New(flushingHandler{log.Handler(), b}), b
}
