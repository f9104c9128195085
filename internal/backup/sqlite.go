package backup

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/salvehealth/salve/internal/store"
)

// bookkeeping are the tables a freshly migrated store already fills; a store
// whose other tables are empty counts as empty.
var bookkeeping = map[string]bool{"schema_migrations": true, "store_identity": true}

// openSQLiteRO opens a SQLite file read-only, for looking into a snapshot or a
// restore target without changing it.
func openSQLiteRO(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// sqliteTables lists the tables of a SQLite database by name.
func sqliteTables(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		if !identifier(n) {
			return nil, fmt.Errorf("unexpected table name %q", n)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// describeSQLite counts the rows of every table of a SQLite file and reads
// its schema version and, for the audit store, its head.
func describeSQLite(ctx context.Context, kind store.Kind, path string) (Store, AuditHead, error) {
	st := Store{Kind: string(kind), Rows: map[string]int64{}}
	var head AuditHead
	db, err := openSQLiteRO(path)
	if err != nil {
		return st, head, err
	}
	defer db.Close()
	if st.Tables, err = sqliteTables(ctx, db); err != nil {
		return st, head, err
	}
	for _, t := range st.Tables {
		var n int64
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&n); err != nil {
			return st, head, err
		}
		st.Rows[t] = n
	}
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&st.SchemaVersion); err != nil {
		return st, head, err
	}
	if kind == store.Audit {
		var h []byte
		err := db.QueryRowContext(ctx, `SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`).Scan(&head.Seq, &h)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return st, head, err
		}
		head.Hash = hex.EncodeToString(h)
	}
	return st, head, nil
}

// snapshotSQLite copies a live SQLite store with VACUUM INTO, a consistent
// snapshot taken in one read transaction (WAL lets the server keep writing),
// and seals it as kind.db.
func snapshotSQLite(ctx context.Context, db *store.DB, kind store.Kind, scratch string, s *sealer) (Store, AuditHead, error) {
	tmp := filepath.Join(scratch, string(kind)+".db")
	defer os.Remove(tmp)
	// Through the writer: the readers are query_only, which refuses VACUUM
	// INTO. It reads the source in one read transaction; a server in another
	// process keeps writing meanwhile (WAL).
	if _, err := db.Writer().ExecContext(ctx, `VACUUM INTO $1`, tmp); err != nil {
		return Store{}, AuditHead{}, fmt.Errorf("%s store: snapshot: %w", kind, err)
	}
	st, head, err := describeSQLite(ctx, kind, tmp)
	if err != nil {
		return st, head, fmt.Errorf("%s store: read snapshot: %w", kind, err)
	}
	return st, head, s.sealFile(string(kind)+".db", tmp)
}

// sqliteNonEmpty returns the first table of the SQLite file at path that has
// rows (other than bookkeeping); "" when the file is missing or empty.
func sqliteNonEmpty(ctx context.Context, path string) (string, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) || err == nil && fi.Size() == 0 {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	db, err := openSQLiteRO(path)
	if err != nil {
		return "", err
	}
	defer db.Close()
	tables, err := sqliteTables(ctx, db)
	if err != nil {
		return "", err
	}
	for _, t := range tables {
		if bookkeeping[t] {
			continue
		}
		var some bool
		if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+t+`)`).Scan(&some); err != nil {
			return "", err
		}
		if some {
			return t, nil
		}
	}
	return "", nil
}

// restoreSQLite puts the snapshot at src in place of the (empty) store at
// path, through a temporary file and a rename, then checks that it opens as
// the store of kind at this build's schema.
func restoreSQLite(ctx context.Context, kind store.Kind, path, src string) error {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	in, err := os.Open(src) //nolint:gosec // a scratch file named from a checked manifest (checkName)
	if err != nil {
		return err
	}
	defer in.Close()
	// 0600 as Salve makes its SQLite files: they hold (encrypted) PHI.
	out, err := os.CreateTemp(filepath.Dir(path), ".restore-*")
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(out.Name(), 0o600)
	}
	if err == nil {
		err = os.Rename(out.Name(), path)
	}
	if err != nil {
		_ = os.Remove(out.Name())
		return err
	}
	db, err := store.Open(ctx, kind, path)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.CheckSchema(ctx)
}
