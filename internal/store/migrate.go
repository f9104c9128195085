package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one embedded schema change.
type Migration struct {
	Version  int
	Name     string
	SQL      string
	Checksum string // sha256 of SQL; an applied migration must never change
}

// Migrations returns the ordered migrations of a store on an engine. Files are
// named NNNN_name.sql, numbered from 1 without gaps.
func Migrations(kind Kind, engine Engine) ([]Migration, error) {
	dir := path.Join("migrations", string(engine), string(kind))
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations of %s on %s: %w", kind, engine, err)
	}
	var ms []Migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migration file %s/%s: want NNNN_name.sql", dir, e.Name())
		}
		b, err := migrationFS.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b), Checksum: hex.EncodeToString(sum[:])})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migrations of %s on %s: version %d missing or repeated", kind, engine, i+1)
		}
	}
	return ms, nil
}

// SchemaError says that a store's schema does not match this build.
type SchemaError struct {
	Kind            Kind
	Current, Latest int
	Detail          string
}

func (e *SchemaError) Error() string {
	switch {
	case e.Detail != "":
		return fmt.Sprintf("%s store: %s", e.Kind, e.Detail)
	case e.Current < e.Latest:
		return fmt.Sprintf("%s store schema is at version %d, this build needs %d: run `salve migrate`", e.Kind, e.Current, e.Latest)
	default:
		return fmt.Sprintf("%s store schema is at version %d, newer than this build knows (%d): run a newer salve", e.Kind, e.Current, e.Latest)
	}
}

// applied returns the applied versions and their checksums; none if the
// migrations table does not exist yet.
func (db *DB) applied(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (map[int]string, error) {
	var exists bool
	var err error
	switch db.engine {
	case SQLite:
		err = q.QueryRowContext(ctx, `SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&exists)
	case Postgres:
		err = q.QueryRowContext(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists)
	}
	if err != nil {
		return nil, fmt.Errorf("%s store: read schema version: %w", db.kind, err)
	}
	out := make(map[int]string)
	if !exists {
		return out, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT version, checksum FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("%s store: read schema version: %w", db.kind, err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		var sum string
		if err := rows.Scan(&v, &sum); err != nil {
			return nil, err
		}
		out[v] = sum
	}
	return out, rows.Err()
}

// CheckSchema returns a *SchemaError unless every migration of this build, and
// no other, has been applied unchanged.
func (db *DB) CheckSchema(ctx context.Context) error {
	ctx = asOwner(ctx)
	ms, err := Migrations(db.kind, db.engine)
	if err != nil {
		return err
	}
	if err := db.checkIdentity(ctx); err != nil {
		return err
	}
	done, err := db.applied(ctx, db.r)
	if err != nil {
		return err
	}
	if err := compare(db.kind, ms, done); err != nil {
		return err
	}
	if db.wall != nil {
		return db.checkTenantWall(ctx)
	}
	return nil
}

// checkIdentity refuses a database that records itself as another store.
func (db *DB) checkIdentity(ctx context.Context) error {
	var exists bool
	var err error
	switch db.engine {
	case SQLite:
		err = db.r.QueryRowContext(ctx, `SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'store_identity'`).Scan(&exists)
	case Postgres:
		err = db.r.QueryRowContext(ctx, `SELECT to_regclass('store_identity') IS NOT NULL`).Scan(&exists)
	}
	if err != nil || !exists {
		return err
	}
	var kind string
	if err := db.r.QueryRowContext(ctx, `SELECT kind FROM store_identity`).Scan(&kind); err != nil {
		return fmt.Errorf("%s store: read store identity: %w", db.kind, err)
	}
	if Kind(kind) != db.kind {
		return &SchemaError{Kind: db.kind, Detail: fmt.Sprintf("%s is the %s store, not the %s store; check the store settings", db.where, kind, db.kind)}
	}
	return nil
}

func compare(kind Kind, ms []Migration, done map[int]string) error {
	current := 0
	for v := range done {
		current = max(current, v)
	}
	if current > len(ms) {
		return &SchemaError{Kind: kind, Current: current, Latest: len(ms)}
	}
	for _, m := range ms {
		sum, ok := done[m.Version]
		if !ok {
			return &SchemaError{Kind: kind, Current: current, Latest: len(ms)}
		}
		if sum != m.Checksum {
			return &SchemaError{Kind: kind, Detail: fmt.Sprintf("applied migration %04d_%s differs from the one in this build; the schema was changed by hand or by another build", m.Version, m.Name)}
		}
	}
	return nil
}

// Migrate applies every migration not yet applied, each in its own transaction
// together with its record, and returns the ones it applied. Concurrent callers
// (replicas starting together) are serialised: on PostgreSQL by an advisory
// lock, on SQLite by the write lock.
func (db *DB) Migrate(ctx context.Context, now time.Time) ([]Migration, error) {
	// Migrations, their data steps included, run as the owner, above the
	// tenant wall.
	ctx = asOwner(ctx)
	ms, err := Migrations(db.kind, db.engine)
	if err != nil {
		return nil, err
	}
	if err := db.checkIdentity(ctx); err != nil {
		return nil, err
	}
	if err := db.ensureMigrationsTable(ctx); err != nil {
		return nil, err
	}
	var ran []Migration
	for _, m := range ms {
		applied := false
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if db.engine == Postgres {
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, "salve-migrate-"+string(db.kind)); err != nil {
					return err
				}
			}
			done, err := db.applied(ctx, tx)
			if err != nil {
				return err
			}
			if sum, ok := done[m.Version]; ok {
				if sum != m.Checksum {
					return &SchemaError{Kind: db.kind, Detail: fmt.Sprintf("applied migration %04d_%s differs from the one in this build", m.Version, m.Name)}
				}
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("%s store: migration %04d_%s: %w", db.kind, m.Version, m.Name, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)`,
				m.Version, m.Name, m.Checksum, now.UTC()); err != nil {
				return fmt.Errorf("%s store: record migration %04d: %w", db.kind, m.Version, err)
			}
			applied = true
			return nil
		})
		if err != nil {
			return ran, err
		}
		if applied {
			ran = append(ran, m)
		}
	}
	// A database migrated by a newer build is refused here as well.
	done, err := db.applied(ctx, db.w)
	if err != nil {
		return ran, err
	}
	if err := compare(db.kind, ms, done); err != nil {
		return ran, err
	}
	if db.wall != nil {
		return ran, db.installTenantWall(ctx)
	}
	return ran, nil
}

func (db *DB) ensureMigrationsTable(ctx context.Context) error {
	var stmts []string
	switch db.engine {
	case SQLite:
		stmts = []string{`CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT NOT NULL,
			checksum   TEXT NOT NULL,
			applied_at TIMESTAMP NOT NULL
		)`}
	case Postgres:
		stmts = []string{
			`CREATE SCHEMA IF NOT EXISTS ` + schemaOf(db.kind),
			`CREATE TABLE IF NOT EXISTS schema_migrations (
				version    INTEGER PRIMARY KEY,
				name       TEXT NOT NULL,
				checksum   TEXT NOT NULL,
				applied_at TIMESTAMPTZ NOT NULL
			)`,
		}
	}
	return db.Tx(ctx, func(tx *sql.Tx) error {
		if db.engine == Postgres {
			// Two replicas creating the schema at once would race on the catalog.
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, "salve-migrate-"+string(db.kind)); err != nil {
				return err
			}
		}
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("%s store: create migrations table: %w", db.kind, err)
			}
		}
		return nil
	})
}

// IsSchemaError reports whether err says the schema does not match this build.
func IsSchemaError(err error) bool {
	var se *SchemaError
	return errors.As(err, &se)
}
