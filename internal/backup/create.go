package backup

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"

	"github.com/salvehealth/salve/internal/store"
)

// Sources are what a backup is made of: the three opened stores and the audit
// key and checkpoint files of the data directory.
type Sources struct {
	Catalog, PHI, Audit *store.DB
	// AuditKeyFile and CheckpointFile are carried when they exist.
	AuditKeyFile, CheckpointFile string
}

// Options say where a backup goes.
type Options struct {
	// Recipients are the age public keys the backup is encrypted to; any
	// one of their identities can read it. At least one.
	Recipients []age.Recipient
	// Targets receive a copy each. At least one.
	Targets []Target
	// Now names and dates the backup; the system clock's time when zero.
	Now time.Time
	// TempDir holds the encrypted files until they are written to the
	// targets; the system's temporary folder when empty.
	TempDir string
}

// pgCopyFile is where a PostgreSQL table's COPY file is under dir.
func pgCopyFile(dir, kind, table string) string {
	return filepath.Join(dir, kind, table+".copy")
}

// Create snapshots the stores while Salve serves, encrypts every file to the
// recipients and writes the backup to every target. It returns the outer
// manifest. The order is audit key and checkpoints first, then catalog, PHI
// and audit: every checkpoint then covers events the audit snapshot holds,
// and the audit snapshot holds the record of every PHI write in the PHI one
// (the vault audits before it writes).
func Create(ctx context.Context, src Sources, o Options) (*Manifest, error) {
	if len(o.Recipients) == 0 {
		return nil, errors.New("backup: no recipient: a backup must be encrypted to at least one age public key")
	}
	if len(o.Targets) == 0 {
		return nil, errors.New("backup: no target")
	}
	dbs := []*store.DB{src.Catalog, src.PHI, src.Audit}
	for _, db := range dbs {
		if db == nil {
			return nil, errors.New("backup: all three stores are needed")
		}
		if db.Engine() != src.Catalog.Engine() {
			return nil, errors.New("backup: the three stores must be on one engine")
		}
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	m := &Manifest{Format: Format, CreatedAt: o.Now.UTC().Truncate(time.Second), Engine: string(src.Catalog.Engine()),
		ID: "salve-" + o.Now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(rnd[:])}
	scratch, err := os.MkdirTemp(o.TempDir, "salve-backup-")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(scratch)
	s := &sealer{dir: filepath.Join(scratch, "out"), recips: o.Recipients}

	if err := sealDataFile(s, AuditKeyFile, src.AuditKeyFile, false); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := sealDataFile(s, AuditCheckpointFile, src.CheckpointFile, true); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	for _, db := range dbs {
		var st Store
		var head AuditHead
		var err error
		if db.Engine() == store.SQLite {
			st, head, err = snapshotSQLite(ctx, db, db.Kind(), scratch, s)
		} else {
			st, head, err = snapshotPostgres(ctx, db, db.Kind(), s)
		}
		if err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
		m.Stores = append(m.Stores, st)
		if db.Kind() == store.Audit {
			m.AuditHead = head
		}
	}

	inner := *m
	inner.Files = s.plain
	b, err := json.MarshalIndent(inner, "", "  ")
	if err != nil {
		return nil, err
	}
	// The inner manifest is sealed like the data; sealing records it in
	// s.cipher, under its name without the .age that seal adds.
	if err := s.seal("manifest", func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	s.plain = s.plain[:len(s.plain)-1]
	outer := *m
	outer.Files = s.cipher
	ob, err := json.MarshalIndent(outer, "", "  ")
	if err != nil {
		return nil, err
	}
	for _, t := range o.Targets {
		if err := upload(ctx, t, m.ID, s.dir, outer.Files, ob); err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
	}
	return &outer, nil
}

// sealDataFile seals the data-directory file at path as name, if it exists.
// lines keeps only whole lines (the server may be appending a checkpoint).
func sealDataFile(s *sealer, name, path string, lines bool) error {
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path) //nolint:gosec // the operator's configured audit key and checkpoint paths
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if lines {
		b = b[:bytes.LastIndexByte(b, '\n')+1]
	}
	return s.seal(name, func(w io.Writer) error { _, err := w.Write(b); return err })
}

// upload writes the encrypted files of a backup, then its outer manifest: a
// backup folder without manifest.json is one whose writing did not finish.
func upload(ctx context.Context, t Target, id, dir string, files []File, outer []byte) error {
	for _, f := range files {
		r, err := os.Open(filepath.Join(dir, filepath.FromSlash(f.Name))) //nolint:gosec // names this process gave its own scratch files
		if err != nil {
			return err
		}
		err = t.Put(ctx, id+"/"+f.Name, r, f.Size)
		_ = r.Close()
		if err != nil {
			return err
		}
	}
	return t.Put(ctx, id+"/"+OuterManifest, bytes.NewReader(outer), int64(len(outer)))
}

// timeNow is when a restore's migrations are recorded (replaced by the
// backup's own records right after).
var timeNow = time.Now
