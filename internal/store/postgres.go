package store

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// schemaOf is the PostgreSQL schema each store keeps its tables in. Why schemas:
// the three stores may share one database (small installs) or use three (large
// ones, each with its own role); either way their tables never mix, and grants
// can be given per schema.
func schemaOf(kind Kind) string { return "salve_" + string(kind) }

func openPostgres(ctx context.Context, kind Kind, dsn string) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message can quote the DSN, password included; say less.
		return nil, fmt.Errorf("the PostgreSQL URL cannot be parsed")
	}
	// Every unqualified table name refers to this store's schema.
	cfg.RuntimeParams["search_path"] = schemaOf(kind)
	cfg.RuntimeParams["application_name"] = "salve-" + string(kind)
	// Always UTC, whatever the server's default, so times never shift.
	cfg.RuntimeParams["timezone"] = "UTC"
	count := new(atomic.Uint64)
	var w *wall
	if kind == PHI {
		w = new(wall)
	}
	pool := sql.OpenDB(countingConnector{Connector: stdlib.GetConnector(*cfg), n: count, wall: w})
	n := max(8, 4*runtime.GOMAXPROCS(0))
	pool.SetMaxOpenConns(n)
	pool.SetMaxIdleConns(n)
	db := &DB{
		kind: kind, engine: Postgres, w: pool, r: pool, statements: count, wall: w,
		where: fmt.Sprintf("postgres://%s:%d/%s (schema %s)", cfg.Host, cfg.Port, cfg.Database, schemaOf(kind)),
	}
	if err := pool.PingContext(ctx); err != nil {
		_ = pool.Close()
		return nil, fmt.Errorf("connect to %s: %w", db.where, err)
	}
	return db, nil
}
