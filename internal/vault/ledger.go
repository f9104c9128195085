package vault

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// LedgerFileName is the shred ledger file's name, beside the KEK file.
const LedgerFileName = "shred-ledger.jsonl"

// LedgerPath returns the shred ledger's path for a KEK file path. Why beside
// the KEK: the ledger must outlive the stores and stay out of their backups
// (a restore replaces the stores, ledger table included), and the KEK file is
// the one thing every install already keeps outside the databases and out of
// backups; whoever can restore needs the KEK, so they also hold the ledger.
func LedgerPath(kekPath string) string {
	return filepath.Join(filepath.Dir(kekPath), LedgerFileName)
}

// Ledger records shreds outside the stores, so that a restore from an older
// backup can destroy again the keys the backup still holds.
type Ledger interface {
	Record(ctx context.Context, s Shred) error
}

// LedgerFile is an append-only file of shreds, one JSON object a line. It
// holds random subject and tenant ids, times and operator reasons: no PHI.
type LedgerFile struct {
	path string
	mu   sync.Mutex
}

// NewLedgerFile returns the ledger kept in the file at path (created on the
// first shred).
func NewLedgerFile(path string) *LedgerFile { return &LedgerFile{path: path} }

// ledgerLine is one line of the ledger file.
type ledgerLine struct {
	Tenant  string    `json:"tenant"`
	Subject string    `json:"subject"`
	Time    time.Time `json:"time"`
	Actor   string    `json:"actor"`
	Reason  string    `json:"reason"`
}

// Record appends s and syncs it to disk before returning, so a shred is on
// record before its key is destroyed.
func (l *LedgerFile) Record(_ context.Context, s Shred) error {
	b, err := json.Marshal(ledgerLine{Tenant: s.TenantID, Subject: s.Subject, Time: s.Time.UTC(), Actor: s.ActorID, Reason: s.Reason})
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// 0600: the ledger says who was disposed of; only the service reads it.
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600) //nolint:gosec // the operator's configured ledger path, beside the KEK
	if err != nil {
		return fmt.Errorf("shred ledger: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("shred ledger: %w", err)
	}
	return nil
}

// ReadLedgerFile returns the shreds recorded in the file at path, oldest
// first; none when the file does not exist. A last line without its newline
// is a write cut off by a crash: its shred never went ahead (the ledger is
// written first), so it is left out. Any other bad line is an error.
func ReadLedgerFile(path string) ([]Shred, error) {
	b, err := os.ReadFile(path) //nolint:gosec // the operator's configured ledger path, beside the KEK
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("shred ledger: %w", err)
	}
	if i := bytes.LastIndexByte(b, '\n'); i < len(b)-1 {
		b = b[:i+1]
	}
	var out []Shred
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		var ln ledgerLine
		if err := json.Unmarshal(sc.Bytes(), &ln); err != nil || ln.Tenant == "" || ln.Subject == "" {
			return nil, fmt.Errorf("shred ledger %s: line %d is not a shred", path, n)
		}
		out = append(out, Shred{TenantID: ln.Tenant, Subject: ln.Subject, Time: ln.Time.UTC(), ActorID: ln.Actor, Reason: ln.Reason})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("shred ledger: %w", err)
	}
	return out, nil
}
