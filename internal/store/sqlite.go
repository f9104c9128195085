package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	// The SQLite driver: pure Go, so the binary needs no cgo and
	// cross-compiles.
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqlitePragmas are set on every SQLite connection, in this order.
var sqlitePragmas = []string{
	// Wait up to 10 s for a lock instead of failing at once: another process (a
	// `salve migrate`, a backup) may briefly hold it. Set first so that the
	// pragmas below already wait.
	"busy_timeout(10000)",
	// Write-ahead logging: readers never block the writer and the writer never
	// blocks readers, which is what a web server with one writer needs.
	"journal_mode(WAL)",
	// In WAL mode NORMAL is safe against corruption on any crash and only syncs at
	// checkpoints; a power cut may lose the last commits, never consistency.
	"synchronous(NORMAL)",
	// SQLite leaves foreign keys unchecked unless asked; we rely on them.
	"foreign_keys(1)",
}

// openSQLite opens a SQLite file with a single writer connection and a pool of
// query-only reader connections.
func openSQLite(ctx context.Context, kind Kind, path string) (*DB, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("SQLite path %q must not contain ? or #", path)
	}
	// Why create the file ourselves: SQLite would create it with the umask's
	// permissions (often world-readable). 0600 keeps other local users out, and
	// SQLite gives the -wal and -shm files the same permissions as the database.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600) //nolint:gosec // the path is the operator's own configuration
	if err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}

	base := "file:" + path + "?_time_format=sqlite"
	for _, p := range sqlitePragmas {
		if kind == Audit && p == "synchronous(NORMAL)" {
			// The audit store syncs every commit: Append promises that an
			// event is durable when it returns, and an access whose record a
			// power cut could erase would break "no audit, no plaintext".
			// Group commit keeps this to one fsync per batch.
			p = "synchronous(FULL)"
		}
		base += "&_pragma=" + url.QueryEscape(p)
	}
	// BEGIN IMMEDIATE takes the write lock when the transaction starts, so a
	// transaction never fails half-way when it upgrades from reading to writing.
	n := new(atomic.Uint64)
	wc, err := sqlite.NewConnector(base + "&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w := sql.OpenDB(countingConnector{Connector: wc, n: n, cache: true})
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)

	// query_only makes an accidental write through the reader pool an error.
	readBase := base + "&_pragma=" + url.QueryEscape("query_only(1)")
	if kind == Catalog {
		// The catalog's readers map the file (up to 1 GiB) instead of
		// reading pages into a small cache of their own. Why: a search at
		// 100,000 products touches pages all over a file of hundreds of MB,
		// and each of the pool's connections read them again with a system
		// call per page (a third of a search's time); mapped, they share
		// the operating system's page cache. Only the catalog, whose data is
		// public: the PHI and audit stores keep plain reads.
		readBase += "&_pragma=" + url.QueryEscape("mmap_size(1073741824)")
	}
	rc, err := sqlite.NewConnector(readBase)
	if err != nil {
		return nil, errors.Join(err, w.Close())
	}
	r := sql.OpenDB(countingConnector{Connector: rc, n: n, cache: true})
	readers := max(4, 2*runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	r.SetConnMaxIdleTime(0)

	db := &DB{kind: kind, engine: SQLite, w: w, r: r, where: path, statements: n}
	// Open the writer now so WAL mode is set before any reader connects.
	// Switching a new file to WAL can answer SQLITE_BUSY without waiting when
	// several processes open it at once (replicas running `salve migrate`
	// together); the switch is retried for up to 10 s, like busy_timeout.
	var mode string
	for attempt := 0; ; attempt++ {
		err := w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
		if err == nil {
			break
		}
		var se *sqlite.Error
		busy := (errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY) || strings.Contains(err.Error(), "SQLITE_BUSY")
		if !busy || attempt >= 200 {
			return nil, errors.Join(err, db.Close())
		}
		select {
		case <-ctx.Done():
			return nil, errors.Join(ctx.Err(), db.Close())
		case <-time.After(50 * time.Millisecond):
		}
	}
	if mode != "wal" {
		return nil, errors.Join(fmt.Errorf("journal mode is %q, want wal (is %s on a network file system?)", mode, path), db.Close())
	}
	return db, nil
}
