// Package store is Salve's SQL: opening the three stores (catalog, PHI, audit) on
// SQLite or PostgreSQL, their embedded migrations, and one file per domain with
// the queries of that domain.
//
// SQL is written once where the two engines agree (both take $1-style
// placeholders) and per engine where they do not; each such place says so.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
)

// Kind names one of the three stores.
type Kind string

// The stores. They are kept apart so that each can live in its own database with
// its own credentials (PHI segmentation, DESIGN §2.2).
const (
	// Catalog holds public data only: tenants, products, prices, pages.
	Catalog Kind = "catalog"
	// PHI holds everything about people, encrypted through the vault.
	PHI Kind = "phi"
	// Audit holds the append-only audit log.
	Audit Kind = "audit"
)

// Kinds lists the stores in the order they are opened.
var Kinds = []Kind{Catalog, PHI, Audit}

// Engine is the database engine behind a store.
type Engine string

// The engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is one opened store.
type DB struct {
	kind   Kind
	engine Engine
	// w runs writes. On SQLite it has exactly one connection: SQLite allows one
	// writer at a time, and queueing writers in Go is faster and fairer than
	// letting them spin on SQLITE_BUSY. On PostgreSQL w and r are the same pool.
	w *sql.DB
	// r runs reads. On SQLite it is a pool of read-only connections, which WAL
	// lets run alongside the writer.
	r *sql.DB
	// where describes the location for messages, without credentials.
	where string
	// statements counts the statements run through both pools (count.go).
	statements *atomic.Uint64
	// wall is the tenant wall of the PHI store on PostgreSQL (tenantwall.go);
	// nil elsewhere.
	wall *wall
}

// Open opens a store. dsn is a postgres:// URL, or the path of a SQLite file.
// It does not migrate; call Migrate or CheckSchema next.
func Open(ctx context.Context, kind Kind, dsn string) (*DB, error) {
	var (
		db  *DB
		err error
	)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err = openPostgres(ctx, kind, dsn)
	} else {
		db, err = openSQLite(ctx, kind, dsn)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s store: %w", kind, err)
	}
	return db, nil
}

// Kind returns which store this is.
func (db *DB) Kind() Kind { return db.kind }

// Engine returns the engine behind the store.
func (db *DB) Engine() Engine { return db.engine }

// Where describes the store's location for messages (never with a password).
func (db *DB) Where() string { return db.where }

// Reader returns the pool for reads. Never write through it: on SQLite its
// connections are query-only and a write fails.
func (db *DB) Reader() *sql.DB { return db.r }

// Writer returns the pool for writes. Prefer Tx.
func (db *DB) Writer() *sql.DB { return db.w }

// Ping checks that the store answers, through both pools.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.w.PingContext(ctx); err != nil {
		return fmt.Errorf("%s store: %w", db.kind, err)
	}
	if db.r != db.w {
		if err := db.r.PingContext(ctx); err != nil {
			return fmt.Errorf("%s store: %w", db.kind, err)
		}
	}
	return nil
}

// Close closes both pools.
func (db *DB) Close() error {
	err := db.w.Close()
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return err
}

// Tx runs fn in a write transaction and commits if fn returns nil. On SQLite the
// transaction takes the write lock at BEGIN (BEGIN IMMEDIATE), so it never fails
// half-way with SQLITE_BUSY when it first writes.
//
// fn must not call Tx or Writer again: on SQLite there is one write connection,
// and a nested use would wait for itself forever.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s store: begin: %w", db.kind, err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("%s store: commit: %w", db.kind, err)
	}
	return nil
}

// Placeholders returns "$from, $from+1, ..." n times, for IN lists.
func Placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}
