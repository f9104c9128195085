package store

import (
	"context"
	"database/sql/driver"
	"sync/atomic"
)

// Statements returns how many SQL statements (queries and executions,
// prepared or not; not BEGIN and COMMIT) this store has run since it was
// opened. Tests hold a page to a bounded number of statements with it, and
// the metrics listener serves it (salve_sql_statements_total), so a
// benchmark can print statements per request.
func (db *DB) Statements() uint64 { return db.statements.Load() }

// countingConnector wraps a driver's connector so that every connection
// counts its statements into n. Why at the driver: every store method
// reaches the database through database/sql, so one place sees every
// statement of every domain, with nothing to remember in each.
type countingConnector struct {
	driver.Connector
	n *atomic.Uint64
	// cache keeps each connection's prepared statements (stmtcache.go):
	// SQLite only.
	cache bool
	// wall is the PHI store's tenant wall on PostgreSQL (tenantwall.go), nil
	// elsewhere.
	wall *wall
}

// Connect opens a counting connection.
func (c countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	cc := &countingConn{Conn: conn, n: c.n}
	if c.wall != nil {
		cc.wall = &connWall{w: c.wall}
	}
	if c.cache {
		cc.stmts = newStmtCache()
	}
	return cc, nil
}

// countingConn counts statements and passes everything on; what the driver
// does not implement answers driver.ErrSkip, so database/sql falls back as
// it would without the wrapper.
type countingConn struct {
	driver.Conn
	n *atomic.Uint64
	// stmts is the connection's statement cache, nil when not caching.
	stmts *stmtCache
	// wall sets the connection's tenant scope before each statement (PHI
	// store on PostgreSQL only; nil elsewhere).
	wall *connWall
}

// Unwrap returns the driver's own connection, for code that needs the
// engine's native API through sql.Conn.Raw (the PostgreSQL backup's COPY).
func (c *countingConn) Unwrap() driver.Conn { return c.Conn }

var (
	_ driver.QueryerContext     = (*countingConn)(nil)
	_ driver.ExecerContext      = (*countingConn)(nil)
	_ driver.ConnPrepareContext = (*countingConn)(nil)
	_ driver.ConnBeginTx        = (*countingConn)(nil)
	_ driver.NamedValueChecker  = (*countingConn)(nil)
	_ driver.SessionResetter    = (*countingConn)(nil)
	_ driver.Validator          = (*countingConn)(nil)
	_ driver.Pinger             = (*countingConn)(nil)
)

func (c *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.wall.ensure(ctx, c.Conn); err != nil {
		return nil, err
	}
	if c.stmts != nil {
		cs, err := c.stmts.get(ctx, c.Conn, query)
		if err != nil {
			c.n.Add(1)
			return nil, err
		}
		if cs != nil {
			c.n.Add(1)
			return c.stmts.query(ctx, cs, query, args)
		}
	}
	q, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	rows, err := q.QueryContext(ctx, query, args)
	if err != driver.ErrSkip { //nolint:errorlint // the sentinel is compared as database/sql does
		c.n.Add(1)
	}
	return rows, err
}

func (c *countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.wall.ensure(ctx, c.Conn); err != nil {
		return nil, err
	}
	if c.stmts != nil {
		cs, err := c.stmts.get(ctx, c.Conn, query)
		if err != nil {
			c.n.Add(1)
			return nil, err
		}
		if cs != nil {
			c.n.Add(1)
			return c.stmts.exec(ctx, cs, query, args)
		}
	}
	e, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	res, err := e.ExecContext(ctx, query, args)
	if err != driver.ErrSkip { //nolint:errorlint // as above
		c.n.Add(1)
	}
	return res, err
}

func (c *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var (
		st  driver.Stmt
		err error
	)
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = c.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	return &countingStmt{Stmt: st, n: c.n, conn: c}, nil
}

// Close closes the cached statements, then the connection.
func (c *countingConn) Close() error {
	if c.stmts != nil {
		c.stmts.close()
	}
	return c.Conn.Close()
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	// The scope is set before BEGIN, so a rollback does not undo it.
	if err := c.wall.ensure(ctx, c.Conn); err != nil {
		return nil, err
	}
	var (
		tx  driver.Tx
		err error
	)
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		tx, err = b.BeginTx(ctx, opts)
	} else {
		tx, err = c.Conn.Begin() //nolint:staticcheck // the fallback database/sql itself uses
	}
	if err != nil || c.wall == nil {
		return tx, err
	}
	c.wall.inTx = true
	return wallTx{Tx: tx, c: c.wall}, nil
}

func (c *countingConn) CheckNamedValue(v *driver.NamedValue) error {
	if ch, ok := c.Conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(v)
	}
	return driver.ErrSkip
}

func (c *countingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *countingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *countingConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

// countingStmt counts each run of a prepared statement.
type countingStmt struct {
	driver.Stmt
	n *atomic.Uint64
	// conn is the statement's connection, whose tenant scope is set before
	// each run.
	conn *countingConn
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if err := s.conn.wall.ensure(ctx, s.conn.Conn); err != nil {
		return nil, err
	}
	s.n.Add(1)
	if e, ok := s.Stmt.(driver.StmtExecContext); ok {
		return e.ExecContext(ctx, args)
	}
	vals, err := namedToValues(args)
	if err != nil {
		return nil, err
	}
	return s.Stmt.Exec(vals) //nolint:staticcheck // the fallback database/sql itself uses
}

func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if err := s.conn.wall.ensure(ctx, s.conn.Conn); err != nil {
		return nil, err
	}
	s.n.Add(1)
	if q, ok := s.Stmt.(driver.StmtQueryContext); ok {
		return q.QueryContext(ctx, args)
	}
	vals, err := namedToValues(args)
	if err != nil {
		return nil, err
	}
	return s.Stmt.Query(vals) //nolint:staticcheck // as above
}

func (s *countingStmt) CheckNamedValue(v *driver.NamedValue) error {
	if ch, ok := s.Stmt.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(v)
	}
	return driver.ErrSkip
}

func namedToValues(args []driver.NamedValue) ([]driver.Value, error) {
	out := make([]driver.Value, len(args))
	for i, a := range args {
		if a.Name != "" {
			return nil, driver.ErrSkip
		}
		out[i] = a.Value
	}
	return out, nil
}
