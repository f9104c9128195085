package backup

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"filippo.io/age"

	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/vault"
)

// CorruptError says a file of a backup is not what its manifest recorded.
type CorruptError struct {
	File    string
	Problem string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("backup file %s is corrupted: %s", e.File, e.Problem)
}

// maxManifest bounds a manifest read from a target.
const maxManifest = 16 << 20

// fetched is a backup downloaded, checked and decrypted into a scratch folder.
type fetched struct {
	dir   string // plaintext files, by their names
	outer *Manifest
	inner *Manifest
}

// fetch downloads backup id from t into scratch, checks every encrypted file
// against the outer manifest, decrypts with ids and checks every plaintext
// file against the inner manifest. Any mismatch is a *CorruptError naming the
// file.
func fetch(ctx context.Context, t Target, id string, ids []age.Identity, scratch string) (*fetched, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, errors.New("no identity to decrypt with")
	}
	r, err := t.Open(ctx, id+"/"+OuterManifest)
	if err != nil {
		return nil, fmt.Errorf("backup %s: %w", id, err)
	}
	b, err := io.ReadAll(io.LimitReader(r, maxManifest))
	_ = r.Close()
	if err != nil {
		return nil, fmt.Errorf("backup %s: %w", id, err)
	}
	outer, err := parseManifest(b)
	if err != nil {
		return nil, &CorruptError{File: OuterManifest, Problem: err.Error()}
	}
	if outer.ID != id {
		return nil, &CorruptError{File: OuterManifest, Problem: "it names another backup"}
	}
	enc, plain := filepath.Join(scratch, "enc"), filepath.Join(scratch, "plain")
	for _, f := range outer.Files {
		if err := download(ctx, t, id, f, filepath.Join(enc, filepath.FromSlash(f.Name))); err != nil {
			return nil, err
		}
	}
	if _, ok := outer.file(InnerManifest); !ok {
		return nil, &CorruptError{File: OuterManifest, Problem: "it lists no " + InnerManifest}
	}
	mpath := filepath.Join(plain, "manifest")
	if _, err := decrypt(filepath.Join(enc, InnerManifest), mpath, ids, InnerManifest); err != nil {
		return nil, err
	}
	b, err = os.ReadFile(mpath) //nolint:gosec // this process's own scratch file
	if err != nil {
		return nil, err
	}
	inner, err := parseManifest(b)
	if err != nil {
		return nil, &CorruptError{File: InnerManifest, Problem: err.Error()}
	}
	// The outer manifest is in clear and unauthenticated; the inner one came
	// through age's authenticated encryption. They must agree.
	if inner.ID != outer.ID || inner.Engine != outer.Engine || !reflect.DeepEqual(inner.Stores, outer.Stores) || inner.AuditHead != outer.AuditHead {
		return nil, &CorruptError{File: OuterManifest, Problem: "it does not match the encrypted manifest"}
	}
	for _, f := range inner.Files {
		if _, ok := outer.file(f.Name + ".age"); !ok {
			return nil, &CorruptError{File: f.Name + ".age", Problem: "missing from " + OuterManifest}
		}
		got, err := decrypt(filepath.Join(enc, filepath.FromSlash(f.Name)+".age"), filepath.Join(plain, filepath.FromSlash(f.Name)), ids, f.Name+".age")
		if err != nil {
			return nil, err
		}
		if got != f {
			return nil, &CorruptError{File: f.Name + ".age", Problem: "its content is not what was backed up"}
		}
	}
	return &fetched{dir: plain, outer: outer, inner: inner}, nil
}

// download copies one encrypted file of backup id to path, checking its size
// and SHA-256.
func download(ctx context.Context, t Target, id string, f File, path string) error {
	r, err := t.Open(ctx, id+"/"+f.Name)
	if err != nil {
		return &CorruptError{File: f.Name, Problem: "cannot be read: " + err.Error()}
	}
	defer r.Close()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) //nolint:gosec // in the scratch folder, named from a checked manifest (checkName)
	if err != nil {
		return err
	}
	c := newCounter(out)
	// Read one byte more than recorded, to see a file that grew.
	_, err = io.Copy(c, io.LimitReader(r, f.Size+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return &CorruptError{File: f.Name, Problem: "cannot be read: " + err.Error()}
	}
	if got := c.file(f.Name); got != f {
		return &CorruptError{File: f.Name, Problem: fmt.Sprintf("size %d and SHA-256 %s, the manifest says %d and %s", got.Size, got.SHA256, f.Size, f.SHA256)}
	}
	return nil
}

// decrypt decrypts src into dst and returns dst's entry (named name without
// .age). A file that does not decrypt is named in the error.
func decrypt(src, dst string, ids []age.Identity, name string) (File, error) {
	in, err := os.Open(src) //nolint:gosec // a scratch file named from a checked manifest (checkName)
	if err != nil {
		return File{}, err
	}
	defer in.Close()
	d, err := age.Decrypt(in, ids...)
	if err != nil {
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			return File{}, fmt.Errorf("backup file %s: none of the identities given can decrypt it", name)
		}
		return File{}, &CorruptError{File: name, Problem: "it does not decrypt: " + err.Error()}
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return File{}, err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) //nolint:gosec // a scratch file named from a checked manifest (checkName)
	if err != nil {
		return File{}, err
	}
	c := newCounter(out)
	_, err = io.Copy(c, d)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return File{}, &CorruptError{File: name, Problem: "it does not decrypt: " + err.Error()}
	}
	return c.file(strings.TrimSuffix(name, ".age")), nil
}

// checkRows compares the row counts of the decrypted files with the manifest.
func (f *fetched) checkRows(ctx context.Context) error {
	for _, st := range f.inner.Stores {
		var got map[string]int64
		var tables []string
		if f.inner.Engine == string(store.SQLite) {
			d, _, err := describeSQLite(ctx, store.Kind(st.Kind), filepath.Join(f.dir, st.Kind+".db"))
			if err != nil {
				return &CorruptError{File: st.Kind + ".db.age", Problem: err.Error()}
			}
			got, tables = d.Rows, d.Tables
		} else {
			got = map[string]int64{}
			for _, t := range st.Tables {
				n, err := countLines(pgCopyFile(f.dir, st.Kind, t))
				if err != nil {
					return err
				}
				got[t] = n
			}
			tables = st.Tables
		}
		if !sameSet(tables, st.Tables) {
			return &CorruptError{File: st.Kind, Problem: "its tables are not the manifest's"}
		}
		for _, t := range st.Tables {
			if got[t] != st.Rows[t] {
				return &CorruptError{File: st.Kind + "/" + t, Problem: fmt.Sprintf("%d rows, the manifest says %d", got[t], st.Rows[t])}
			}
		}
	}
	return nil
}

// verifyChain checks the audit chain of an opened audit store against the
// backup's checkpoints and key, and that it ends at the manifest's head.
func (f *fetched) verifyChain(ctx context.Context, db *store.DB) (audit.Report, error) {
	keyFile := filepath.Join(f.dir, filepath.FromSlash(AuditKeyFile))
	if _, err := os.Stat(keyFile); err != nil {
		if f.inner.AuditHead.Seq == 0 {
			return audit.Report{OK: true}, nil
		}
		return audit.Report{}, errors.New("the backup holds audit events but not the audit key to check them")
	}
	pub, err := audit.LoadPublicKey(keyFile)
	if err != nil {
		return audit.Report{}, err
	}
	rep, err := audit.Verify(ctx, store.NewAuditEvents(db), audit.NewFileSink(filepath.Join(f.dir, filepath.FromSlash(AuditCheckpointFile))), pub)
	if err != nil {
		return rep, err
	}
	if !rep.OK {
		return rep, fmt.Errorf("the audit chain in the backup is NOT intact: first bad event is %d: %s", rep.FirstBad, rep.Problem)
	}
	if rep.HeadSeq != f.inner.AuditHead.Seq || hex.EncodeToString(rep.Head) != f.inner.AuditHead.Hash {
		return rep, fmt.Errorf("the audit chain ends at event %d, the manifest says %d", rep.HeadSeq, f.inner.AuditHead.Seq)
	}
	return rep, nil
}

// Report says what a verify or a restore found.
type Report struct {
	ID        string
	Engine    string
	Files     int
	Rows      int64
	AuditHead AuditHead
	// AuditEvents is how many events the chain verification walked and
	// Checkpoints how many signed checkpoints it checked them against.
	AuditEvents int64
	Checkpoints int
	// Reshredded is how many shred ledger entries a restore applied again.
	Reshredded int
}

func (f *fetched) report() *Report {
	r := &Report{ID: f.inner.ID, Engine: f.inner.Engine, Files: len(f.outer.Files), AuditHead: f.inner.AuditHead}
	for _, st := range f.inner.Stores {
		for _, n := range st.Rows {
			r.Rows += n
		}
	}
	return r
}

// VerifyOptions say where verify may work.
type VerifyOptions struct {
	// TempDir holds the scratch folder (decrypted files, removed after);
	// the system's temporary folder when empty.
	TempDir string
	// ScratchDB is an empty PostgreSQL database a PostgreSQL backup's audit
	// store is restored into to verify its chain (its schema is dropped
	// after). Not used for SQLite backups, which are checked in TempDir.
	ScratchDB string
}

// Verify downloads backup id, checks every file's size and hash, decrypts it
// with ids, compares the row counts with the manifest and verifies the audit
// chain of the restored audit store against the backup's checkpoints.
func Verify(ctx context.Context, t Target, id string, ids []age.Identity, o VerifyOptions) (*Report, error) {
	scratch, err := os.MkdirTemp(o.TempDir, "salve-verify-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratch)
	f, err := fetch(ctx, t, id, ids, scratch)
	if err != nil {
		return nil, err
	}
	if err := f.checkRows(ctx); err != nil {
		return nil, err
	}
	rep := f.report()
	var db *store.DB
	dropScratch := false
	switch f.inner.Engine {
	case string(store.SQLite):
		if db, err = store.Open(ctx, store.Audit, filepath.Join(f.dir, "audit.db")); err != nil {
			return nil, err
		}
	case string(store.Postgres):
		if o.ScratchDB == "" {
			return nil, errors.New("a PostgreSQL backup's audit chain is verified in a scratch database: give an empty one")
		}
		st, _ := f.inner.store(string(store.Audit))
		if db, err = openEmpty(ctx, store.Audit, o.ScratchDB); err != nil {
			return nil, fmt.Errorf("scratch database: %w", err)
		}
		// The schema was empty and is ours now: it is dropped when done.
		dropScratch = true
		if err := restorePostgres(ctx, db, st, f.dir); err != nil {
			err = fmt.Errorf("scratch database: %w", err)
			_, derr := db.Writer().ExecContext(context.WithoutCancel(ctx), `DROP SCHEMA salve_audit CASCADE`)
			return nil, errors.Join(err, derr, db.Close())
		}
	default:
		return nil, fmt.Errorf("backup of unknown engine %q", f.inner.Engine)
	}
	defer func() {
		if dropScratch {
			_, _ = db.Writer().ExecContext(context.WithoutCancel(ctx), `DROP SCHEMA salve_audit CASCADE`)
		}
		_ = db.Close()
	}()
	ar, err := f.verifyChain(ctx, db)
	if err != nil {
		return nil, err
	}
	rep.AuditEvents, rep.Checkpoints = ar.Events, ar.Checkpoints
	return rep, nil
}

// NotEmptyError says a restore target already holds data.
type NotEmptyError struct {
	Kind  store.Kind
	Where string
	Table string
}

func (e *NotEmptyError) Error() string {
	return fmt.Sprintf("the %s store at %s is not empty (table %s has rows): a backup is restored only into empty stores", e.Kind, e.Where, e.Table)
}

// openEmpty opens and migrates the store at dsn and refuses it with a
// *NotEmptyError unless it holds no rows.
func openEmpty(ctx context.Context, kind store.Kind, dsn string) (*store.DB, error) {
	db, err := store.Open(ctx, kind, dsn)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx, timeNow()); err != nil {
		_ = db.Close()
		return nil, err
	}
	t, err := pgNonEmpty(ctx, db)
	if err == nil && t != "" {
		err = &NotEmptyError{Kind: kind, Where: db.Where(), Table: t}
	}
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// Destination is where a restore writes: the three stores (DSNs as in the
// configuration), and the data-directory files.
type Destination struct {
	Catalog, PHI, Audit string
	// AuditKeyFile and CheckpointFile are written from the backup when
	// they do not exist (an existing one is kept: it may be newer).
	AuditKeyFile, CheckpointFile string
	// LedgerFile is the shred ledger replayed after the load. A missing
	// file is refused unless NoLedger says there is none (an installation
	// that never shredded anyone).
	LedgerFile string
	NoLedger   bool
}

func (d Destination) dsn(kind store.Kind) string {
	switch kind {
	case store.Catalog:
		return d.Catalog
	case store.PHI:
		return d.PHI
	}
	return d.Audit
}

func engineOf(dsn string) store.Engine {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return store.Postgres
	}
	return store.SQLite
}

// Restore downloads and checks backup id like Verify, refuses unless every
// destination store is empty (a *NotEmptyError, before anything is written),
// loads the three stores, checks their row counts and audit chain, then
// replays the shred ledger so that a subject shredded after the backup stays
// unreadable.
func Restore(ctx context.Context, t Target, id string, ids []age.Identity, d Destination, tempDir string) (*Report, error) {
	scratch, err := os.MkdirTemp(tempDir, "salve-restore-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratch)
	// Read the ledger before anything changes: a ledger that cannot be
	// read, or is missing when not declared absent, stops the restore (fail
	// closed), rather than bring destroyed keys back.
	if _, err := os.Stat(d.LedgerFile); err != nil && (!errors.Is(err, os.ErrNotExist) || !d.NoLedger) {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no shred ledger at %s: put the live one there (it sits beside the KEK), or declare that this installation never shredded anyone (salve backup restore --no-shred-ledger)", d.LedgerFile)
		}
		return nil, err
	}
	ledger, err := vault.ReadLedgerFile(d.LedgerFile)
	if err != nil {
		return nil, err
	}
	f, err := fetch(ctx, t, id, ids, scratch)
	if err != nil {
		return nil, err
	}
	if err := f.checkRows(ctx); err != nil {
		return nil, err
	}
	engine := store.Engine(f.inner.Engine)
	for _, k := range store.Kinds {
		if engineOf(d.dsn(k)) != engine {
			return nil, fmt.Errorf("the backup is of %s stores; the %s store is configured on another engine", engine, k)
		}
	}
	for _, k := range store.Kinds {
		st, ok := f.inner.store(string(k))
		if !ok {
			return nil, &CorruptError{File: InnerManifest, Problem: "no " + string(k) + " store"}
		}
		ms, err := store.Migrations(k, engine)
		if err != nil {
			return nil, err
		}
		if st.SchemaVersion != len(ms) {
			return nil, fmt.Errorf("the backup's %s store is at schema version %d, this build's at %d: restore with the salve release that made the backup, then migrate", k, st.SchemaVersion, len(ms))
		}
	}
	// Check every store before loading any: a refusal loads nothing (on
	// PostgreSQL the empty stores checked so far are migrated).
	dbs := map[store.Kind]*store.DB{}
	defer func() {
		for _, db := range dbs {
			_ = db.Close()
		}
	}()
	for _, k := range store.Kinds {
		if engine == store.SQLite {
			tb, err := sqliteNonEmpty(ctx, d.dsn(k))
			if err != nil {
				return nil, fmt.Errorf("%s store: %w", k, err)
			}
			if tb != "" {
				return nil, &NotEmptyError{Kind: k, Where: d.dsn(k), Table: tb}
			}
			continue
		}
		db, err := openEmpty(ctx, k, d.dsn(k))
		if err != nil {
			return nil, err
		}
		dbs[k] = db
	}
	for _, k := range store.Kinds {
		st, _ := f.inner.store(string(k))
		if engine == store.SQLite {
			if err := restoreSQLite(ctx, k, d.dsn(k), filepath.Join(f.dir, string(k)+".db")); err != nil {
				return nil, fmt.Errorf("restore %s store: %w", k, err)
			}
			db, err := store.Open(ctx, k, d.dsn(k))
			if err != nil {
				return nil, err
			}
			dbs[k] = db
			continue
		}
		if err := dbs[k].CheckSchema(ctx); err != nil {
			return nil, err
		}
		if err := restorePostgres(ctx, dbs[k], st, f.dir); err != nil {
			return nil, fmt.Errorf("restore %s store: %w", k, err)
		}
		if err := dbs[k].CheckSchema(ctx); err != nil {
			return nil, err
		}
	}
	rep := f.report()
	ar, err := f.verifyChain(ctx, dbs[store.Audit])
	if err != nil {
		return nil, fmt.Errorf("restored audit store: %w", err)
	}
	rep.AuditEvents, rep.Checkpoints = ar.Events, ar.Checkpoints
	for _, c := range []struct{ name, dst string }{{AuditKeyFile, d.AuditKeyFile}, {AuditCheckpointFile, d.CheckpointFile}} {
		if err := placeDataFile(filepath.Join(f.dir, filepath.FromSlash(c.name)), c.dst); err != nil {
			return nil, err
		}
	}
	// Replay the whole ledger (idempotent): keys destroyed after the backup
	// was taken are destroyed again, and recorded in the restored PHI store.
	if len(ledger) > 0 {
		if err := store.NewVaultKeys(dbs[store.PHI]).ApplyShreds(ctx, ledger); err != nil {
			return nil, fmt.Errorf("replay the shred ledger: %w", err)
		}
	}
	rep.Reshredded = len(ledger)
	return rep, nil
}

// placeDataFile copies src to dst when src exists and dst does not.
func placeDataFile(src, dst string) error {
	if dst == "" {
		return nil
	}
	b, err := os.ReadFile(src) //nolint:gosec // a scratch file named from a checked manifest (checkName)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := os.Stat(dst); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	// 0600: the audit key file holds the private signing key.
	return os.WriteFile(dst, b, 0o600) //nolint:gosec // dst is the operator's configured audit key or checkpoint path
}
