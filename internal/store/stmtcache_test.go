package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestStatementReuse runs the same statement texts again and again in the
// ways that could trip a statement kept prepared per connection (SQLite;
// PostgreSQL runs the same checks through pgx's own cache): a query nested in
// the iteration of the same query, a Rows left early, a failed run, more
// texts than the cache holds, a schema change, and a reader seeing the
// writer's later commits (a kept statement must not hold a read transaction
// open).
func TestStatementReuse(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		db := testkit.OpenStore(t, e, store.Catalog)
		mustExec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.Writer().ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		mustExec(`CREATE TABLE stmt_probe (n INTEGER PRIMARY KEY)`)
		const insert = `INSERT INTO stmt_probe (n) VALUES ($1)`
		for n := 1; n <= 5; n++ {
			mustExec(insert, n)
		}

		// A failed run (a duplicate key) leaves the statement usable.
		if _, err := db.Writer().ExecContext(ctx, insert, 5); err == nil {
			t.Fatal("duplicate key accepted")
		}
		mustExec(insert, 6)

		const list = `SELECT n FROM stmt_probe WHERE n >= $1 ORDER BY n`
		read := func(q *sql.DB, from int) []int {
			t.Helper()
			rows, err := q.QueryContext(ctx, list, from)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = rows.Close() }()
			var out []int
			for rows.Next() {
				var n int
				if err := rows.Scan(&n); err != nil {
					t.Fatal(err)
				}
				out = append(out, n)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			return out
		}
		if got := read(db.Reader(), 2); fmt.Sprint(got) != "[2 3 4 5 6]" {
			t.Fatalf("list: %v", got)
		}

		// The same text nested in its own iteration, on one connection
		// (SQLite only: a PostgreSQL connection runs one query at a time).
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if e != store.SQLite {
				return nil
			}
			outer, err := tx.QueryContext(ctx, list, 4)
			if err != nil {
				return err
			}
			defer func() { _ = outer.Close() }()
			var seen []string
			for outer.Next() {
				var n int
				if err := outer.Scan(&n); err != nil {
					return err
				}
				count, err := func() (int, error) {
					inner, err := tx.QueryContext(ctx, list, n)
					if err != nil {
						return 0, err
					}
					defer func() { _ = inner.Close() }()
					count := 0
					for inner.Next() {
						count++
					}
					return count, inner.Err()
				}()
				if err != nil {
					return err
				}
				seen = append(seen, fmt.Sprintf("%d:%d", n, count))
			}
			if err := outer.Err(); err != nil {
				return err
			}
			if fmt.Sprint(seen) != "[4:3 5:2 6:1]" {
				return fmt.Errorf("nested: %v", seen)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		// A Rows left after its first row, then the same text again.
		for range 3 {
			var first int
			if err := db.Reader().QueryRowContext(ctx, list, 3).Scan(&first); err != nil || first != 3 {
				t.Fatalf("first row: %d %v", first, err)
			}
		}

		// The reader sees commits made after its statements were kept.
		mustExec(insert, 7)
		for range 8 { // every reader connection of the pool, likely
			if got := read(db.Reader(), 6); fmt.Sprint(got) != "[6 7]" {
				t.Fatalf("after a commit: %v", got)
			}
		}

		// More texts than a connection keeps, twice over: each answers its own.
		for round := range 2 {
			for k := range 300 {
				var got int
				q := fmt.Sprintf(`SELECT n + %d FROM stmt_probe WHERE n = $1`, k)
				if err := db.Writer().QueryRowContext(ctx, q, 2).Scan(&got); err != nil || got != 2+k {
					t.Fatalf("round %d, text %d: %d %v", round, k, got, err)
				}
			}
		}

		// A schema change: the kept statement answers for the new schema
		// (SQLite; pgx's cache refuses a changed result type until it is
		// reset, and Salve changes its schema only in migrations, at start).
		if e == store.SQLite {
			const all = `SELECT * FROM stmt_probe WHERE n = $1`
			cols := func() int {
				t.Helper()
				rows, err := db.Writer().QueryContext(ctx, all, 1)
				if err != nil {
					t.Fatal(err)
				}
				defer func() { _ = rows.Close() }()
				c, err := rows.Columns()
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				return len(c)
			}
			if n := cols(); n != 1 {
				t.Fatalf("columns before: %d", n)
			}
			mustExec(`ALTER TABLE stmt_probe ADD COLUMN note TEXT`)
			if n := cols(); n != 2 {
				t.Fatalf("columns after ALTER TABLE: %d", n)
			}
		}

		// Every run still counts as a statement.
		before := db.Statements()
		for range 5 {
			read(db.Reader(), 1)
		}
		if d := db.Statements() - before; d != 5 {
			t.Fatalf("statements counted: %d, want 5", d)
		}
	})
}
