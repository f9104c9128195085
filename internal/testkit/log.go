package testkit

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"

	"github.com/salvehealth/salve/internal/httpx"
)

// LogBuffer collects log output for assertions; safe for concurrent use.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write implements io.Writer.
func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything logged so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Lines returns the logged lines.
func (l *LogBuffer) Lines() []string {
	return strings.Split(strings.TrimSpace(l.String()), "\n")
}

// Logger returns a JSON logger at debug level writing to the buffer, with
// request ids like the real one.
func (l *LogBuffer) Logger() *slog.Logger {
	return slog.New(httpx.LogHandler(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug})))
}
