package audit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"
)

// CheckpointFileName is the default checkpoint file's name in the data directory.
const CheckpointFileName = "audit-checkpoints.jsonl"

// Checkpoint says that the chain had Seq events with head hash Head at Time,
// signed so that it cannot be forged by whoever can write the audit store.
type Checkpoint struct {
	Seq  int64     `json:"seq"`
	Head []byte    `json:"head"`
	Time time.Time `json:"time"`
	Sig  []byte    `json:"sig"`
}

// signedBytes is what the signature covers: a domain, the sequence number, the
// head hash and the time, each at a fixed place.
func (c Checkpoint) signedBytes() []byte {
	var b bytes.Buffer
	b.WriteString("salve.audit.checkpoint.v1\x00")
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(c.Seq)) //nolint:gosec // the bit pattern is what is signed
	b.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(len(c.Head)))
	b.Write(n[:])
	b.Write(c.Head)
	binary.BigEndian.PutUint64(n[:], uint64(c.Time.UnixMicro())) //nolint:gosec // the bit pattern is what is signed
	b.Write(n[:])
	return b.Bytes()
}

// Sign sets c.Sig.
func (c *Checkpoint) Sign(k ed25519.PrivateKey) { c.Sig = ed25519.Sign(k, c.signedBytes()) }

// Valid reports whether c carries a good signature by pub.
func (c Checkpoint) Valid(pub ed25519.PublicKey) bool {
	return len(c.Sig) == ed25519.SignatureSize && ed25519.Verify(pub, c.signedBytes(), c.Sig)
}

// CheckpointSink is the second sink, outside the audit store, that holds the
// signed checkpoints.
type CheckpointSink interface {
	// Write durably appends a checkpoint.
	Write(ctx context.Context, c Checkpoint) error
	// ReadAll returns every checkpoint, oldest first.
	ReadAll(ctx context.Context) ([]Checkpoint, error)
}

// FileSink keeps checkpoints as JSON lines in a file, created 0600.
type FileSink struct {
	path string
	mu   sync.Mutex
}

// NewFileSink returns a sink writing to path.
func NewFileSink(path string) *FileSink { return &FileSink{path: path} }

// Path returns the file's path.
func (s *FileSink) Path() string { return s.path }

// Write appends c as one line and syncs the file.
func (s *FileSink) Write(_ context.Context, c Checkpoint) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600) //nolint:gosec // the path is the operator's own configuration
	if err != nil {
		return fmt.Errorf("checkpoint file: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		_ = f.Close()
		return fmt.Errorf("checkpoint file: %w", err)
	}
	// Why sync: a checkpoint that a crash can lose anchors nothing.
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("checkpoint file: %w", err)
	}
	return f.Close()
}

// ReadAll reads every checkpoint; a missing file holds none. A line that does
// not parse is an error: the file is evidence and must not be half-read.
func (s *FileSink) ReadAll(_ context.Context) ([]Checkpoint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.Open(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint file: %w", err)
	}
	defer f.Close()
	var out []Checkpoint
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var c Checkpoint
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("checkpoint file line %d: %w", line, err)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("checkpoint file: %w", err)
	}
	return out, nil
}
