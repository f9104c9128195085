package backup

import (
	"bufio"
	"bytes"
	"context"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/salvehealth/salve/internal/store"
)

// withPgx runs fn on one connection of a PostgreSQL store, as pgx (COPY is
// not reachable through database/sql).
func withPgx(ctx context.Context, db *store.DB, fn func(c *pgx.Conn) error) error {
	// Backups and restores copy every table whole: they run as the owner,
	// above the PHI store's tenant wall (store/tenantwall.go). pgx's own
	// connection skips the store's wrapper, so one statement through the
	// wrapper first puts the connection in that state.
	ctx = store.AsOwner(ctx)
	conn, err := db.Writer().Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT 1`); err != nil {
		return err
	}
	return conn.Raw(func(dc any) error {
		// The store counts statements through a wrapper around the driver's
		// connection (store.DB.Statements); COPY needs pgx's own.
		for {
			w, ok := dc.(interface{ Unwrap() driver.Conn })
			if !ok {
				break
			}
			dc = w.Unwrap()
		}
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("not a pgx connection")
		}
		return fn(sc.Conn())
	})
}

// pgTables lists the tables of the store's schema (the connection's
// search_path) in load order: every table after the tables its foreign keys
// point to, ties by name.
func pgTables(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname`)
	if err != nil {
		return nil, err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	rows, err = q.Query(ctx, `SELECT ch.relname, pa.relname FROM pg_constraint k
		JOIN pg_class ch ON ch.oid = k.conrelid JOIN pg_class pa ON pa.oid = k.confrelid
		JOIN pg_namespace n ON n.oid = k.connamespace
		WHERE k.contype = 'f' AND n.nspname = current_schema()`)
	if err != nil {
		return nil, err
	}
	parents := map[string][]string{}
	err = forEachRow(rows, func(r pgx.Rows) error {
		var child, parent string
		if err := r.Scan(&child, &parent); err != nil {
			return err
		}
		if child != parent {
			parents[child] = append(parents[child], parent)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if !identifier(n) {
			return nil, fmt.Errorf("unexpected table name %q", n)
		}
	}
	var order []string
	placed := map[string]bool{}
	for len(order) < len(names) {
		progress := false
		for _, n := range names {
			if placed[n] || !all(parents[n], func(p string) bool { return placed[p] || !slices.Contains(names, p) }) {
				continue
			}
			order, placed[n], progress = append(order, n), true, true
		}
		if !progress {
			return nil, errors.New("foreign keys form a cycle")
		}
	}
	return order, nil
}

func all(xs []string, f func(string) bool) bool {
	for _, x := range xs {
		if !f(x) {
			return false
		}
	}
	return true
}

func forEachRow(rows pgx.Rows, fn func(pgx.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// snapshotPostgres exports every table of the store's schema with COPY, in one
// REPEATABLE READ, READ ONLY transaction: all tables as of one instant, while
// the server keeps writing. Each table is sealed as kind/table.copy (COPY's
// text format: exact for every type, one line a row).
func snapshotPostgres(ctx context.Context, db *store.DB, kind store.Kind, s *sealer) (Store, AuditHead, error) {
	st := Store{Kind: string(kind), Rows: map[string]int64{}}
	var head AuditHead
	err := withPgx(ctx, db, func(c *pgx.Conn) error {
		tx, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback(ctx) }()
		if st.Tables, err = pgTables(ctx, tx); err != nil {
			return err
		}
		for _, t := range st.Tables {
			var n int64
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+t).Scan(&n); err != nil {
				return err
			}
			st.Rows[t] = n
			err := s.seal(string(kind)+"/"+t+".copy", func(w io.Writer) error {
				_, err := c.PgConn().CopyTo(ctx, w, `COPY `+t+` TO STDOUT`)
				return err
			})
			if err != nil {
				return err
			}
		}
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&st.SchemaVersion); err != nil {
			return err
		}
		if kind == store.Audit {
			var h []byte
			err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`).Scan(&head.Seq, &h)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			head.Hash = hex.EncodeToString(h)
		}
		return tx.Commit(ctx)
	})
	if err != nil {
		return st, head, fmt.Errorf("%s store: snapshot: %w", kind, err)
	}
	return st, head, nil
}

// countLines counts the rows of a COPY text file: one line each (COPY writes
// a newline inside a value as \n).
func countLines(path string) (int64, error) {
	f, err := os.Open(path) //nolint:gosec // a scratch file named from a checked manifest (checkName)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var n int64
	buf := make([]byte, 64<<10)
	r := bufio.NewReader(f)
	for {
		k, err := r.Read(buf)
		n += int64(bytes.Count(buf[:k], []byte{'\n'}))
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// pgNonEmpty returns the first table of the store (other than bookkeeping)
// that has rows; "" when none does. The store must be migrated.
func pgNonEmpty(ctx context.Context, db *store.DB) (string, error) {
	var found string
	err := withPgx(ctx, db, func(c *pgx.Conn) error {
		tables, err := pgTables(ctx, c)
		if err != nil {
			return err
		}
		for _, t := range tables {
			if bookkeeping[t] {
				continue
			}
			var some bool
			if err := c.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+t+`)`).Scan(&some); err != nil {
				return err
			}
			if some {
				found = t
				return nil
			}
		}
		return nil
	})
	return found, err
}

// restorePostgres loads the tables of st from dir/kind/table.copy into the
// migrated, empty store, in one transaction: the bookkeeping rows the
// migration wrote are replaced by the backup's, so every table reads back as
// it was.
func restorePostgres(ctx context.Context, db *store.DB, st Store, dir string) error {
	return withPgx(ctx, db, func(c *pgx.Conn) error {
		have, err := pgTables(ctx, c)
		if err != nil {
			return err
		}
		if !sameSet(have, st.Tables) {
			return fmt.Errorf("%s store: its tables are not the backup's (%v against %v)", st.Kind, have, st.Tables)
		}
		tx, err := c.Begin(ctx)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback(ctx) }()
		for _, t := range []string{"store_identity", "schema_migrations"} {
			if _, err := tx.Exec(ctx, `DELETE FROM `+t); err != nil {
				return err
			}
		}
		// have is in load order for this schema: parents first.
		for _, t := range have {
			f, err := os.Open(pgCopyFile(dir, st.Kind, t)) //nolint:gosec // a scratch file: table names come from the schema, checked by identifier
			if err != nil {
				return err
			}
			_, err = c.PgConn().CopyFrom(ctx, f, `COPY `+t+` FROM STDIN`)
			_ = f.Close()
			if err != nil {
				return fmt.Errorf("%s store: load %s: %w", st.Kind, t, err)
			}
		}
		return tx.Commit(ctx)
	})
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
