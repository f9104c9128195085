package store

import (
	"context"
	"database/sql/driver"
	"reflect"
)

// The SQLite driver (modernc.org/sqlite) parses and plans every statement
// again on each QueryContext and ExecContext: under load a page spent about a
// quarter of its CPU in SQLite's parser. A statement prepared once can be run
// many times (its Rows reset it on Close instead of finalizing it), so each
// SQLite connection keeps the statements it has run, by their text.
//
// Why per connection and not database/sql's Stmt: a *sql.Stmt re-prepares on
// whichever pooled connection runs it, and every store method would have to
// hold its statements; here every query of every domain gains with nothing
// to remember. PostgreSQL needs none of this: pgx caches its own prepared
// statements per connection.
//
// A statement is only worth keeping if SQLite does not re-plan it on each
// run: SQLite re-prepares a statement whose plan depended on a bound value,
// and a bare `LIMIT $n` is such a value (the planner reads it). The hot
// per-person lists therefore write `LIMIT CAST($n AS INTEGER)`, which both
// engines read alike and SQLite plans once.

const (
	// stmtCacheSize bounds the statements kept per connection. Salve has a
	// few hundred distinct statements; IN lists of varying length
	// (Placeholders) make more texts, so the bound matters.
	stmtCacheSize = 256
	// stmtCacheMaxText leaves long texts (migration scripts of several
	// statements, run once) out of the cache.
	stmtCacheMaxText = 4096
)

// stmtCache is one connection's prepared statements. database/sql uses a
// connection from one goroutine at a time (and closes a Rows under the
// connection's lock), so the cache needs no lock of its own.
type stmtCache struct {
	m map[string]*cachedStmt
}

// cachedStmt is a prepared statement and whether a Rows of it is still open.
type cachedStmt struct {
	st driver.Stmt
	// busy is set while a Rows reads from the statement: running it again
	// then would reset the open Rows under its reader (a query nested in the
	// iteration of the same query), so such a run prepares afresh instead.
	busy bool
}

func newStmtCache() *stmtCache { return &stmtCache{m: make(map[string]*cachedStmt)} }

// get returns the statement of query prepared on conn, preparing it on first
// use; nil (and no error) when the text is not cached or its statement is
// busy, so the caller runs it the uncached way.
func (sc *stmtCache) get(ctx context.Context, conn driver.Conn, query string) (*cachedStmt, error) {
	if len(query) > stmtCacheMaxText {
		return nil, nil
	}
	if cs, ok := sc.m[query]; ok {
		if cs.busy {
			return nil, nil
		}
		return cs, nil
	}
	p, ok := conn.(driver.ConnPrepareContext)
	if !ok {
		return nil, nil
	}
	if len(sc.m) >= stmtCacheSize {
		sc.evictOne()
	}
	st, err := p.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if _, ok := st.(driver.StmtQueryContext); !ok {
		_ = st.Close()
		return nil, nil
	}
	if _, ok := st.(driver.StmtExecContext); !ok {
		_ = st.Close()
		return nil, nil
	}
	cs := &cachedStmt{st: st}
	sc.m[query] = cs
	return cs, nil
}

// evictOne closes and forgets one statement that no Rows reads (map order:
// an arbitrary one, which is good enough for a cache this rarely full).
func (sc *stmtCache) evictOne() {
	for q, cs := range sc.m {
		if !cs.busy {
			_ = cs.st.Close()
			delete(sc.m, q)
			return
		}
	}
}

// drop closes and forgets the statement of query (after an error that may
// have left it unusable).
func (sc *stmtCache) drop(query string) {
	if cs, ok := sc.m[query]; ok && !cs.busy {
		_ = cs.st.Close()
		delete(sc.m, query)
	}
}

// close closes every statement, before the connection closes.
func (sc *stmtCache) close() {
	for q, cs := range sc.m {
		_ = cs.st.Close()
		delete(sc.m, q)
	}
}

// query runs a cached statement; the Rows frees it again on Close.
func (sc *stmtCache) query(ctx context.Context, cs *cachedStmt, query string, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := cs.st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		sc.drop(query)
		return nil, err
	}
	cs.busy = true
	return &cachedRows{Rows: rows, cs: cs, sc: sc, query: query}, nil
}

// exec runs a cached statement; the driver resets it before returning.
func (sc *stmtCache) exec(ctx context.Context, cs *cachedStmt, query string, args []driver.NamedValue) (driver.Result, error) {
	res, err := cs.st.(driver.StmtExecContext).ExecContext(ctx, args)
	if err != nil {
		sc.drop(query)
	}
	return res, err
}

// cachedRows is the Rows of a cached statement: closing it resets the
// statement (the driver's own Close does) and frees it for the next run.
type cachedRows struct {
	driver.Rows
	cs    *cachedStmt
	sc    *stmtCache
	query string
}

var (
	_ driver.RowsColumnTypeDatabaseTypeName = (*cachedRows)(nil)
	_ driver.RowsColumnTypeLength           = (*cachedRows)(nil)
	_ driver.RowsColumnTypeNullable         = (*cachedRows)(nil)
	_ driver.RowsColumnTypeScanType         = (*cachedRows)(nil)
	_ driver.RowsColumnTypePrecisionScale   = (*cachedRows)(nil)
)

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.cs.busy = false
	if err != nil {
		// A statement whose reset failed is not trusted again.
		r.sc.drop(r.query)
	}
	return err
}

// The column type methods pass on what the driver knows, and answer as
// database/sql would without them otherwise.

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, is := r.Rows.(driver.RowsColumnTypeNullable); is {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	if t, is := r.Rows.(driver.RowsColumnTypePrecisionScale); is {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}
