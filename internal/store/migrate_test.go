package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

func TestMigrationsAreNumberedForEveryStoreAndEngine(t *testing.T) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		for _, k := range store.Kinds {
			ms, err := store.Migrations(k, e)
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) == 0 {
				t.Fatalf("%s/%s has no migrations", e, k)
			}
		}
		// The engines must move in step: the same versions with the same names.
		for _, k := range store.Kinds {
			a, _ := store.Migrations(k, store.SQLite)
			b, _ := store.Migrations(k, store.Postgres)
			if len(a) != len(b) {
				t.Fatalf("%s: sqlite has %d migrations, postgres %d", k, len(a), len(b))
			}
			for i := range a {
				if a[i].Name != b[i].Name {
					t.Errorf("%s migration %d: sqlite %q, postgres %q", k, i+1, a[i].Name, b[i].Name)
				}
			}
		}
	}
}

func TestMigrateThenCheck(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		p := testkit.NewPlace(t, e)
		for _, k := range store.Kinds {
			db, err := store.Open(ctx, k, p.DSN(k))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			err = db.CheckSchema(ctx)
			var se *store.SchemaError
			if !errors.As(err, &se) || se.Current != 0 || !strings.Contains(err.Error(), "run `salve migrate`") {
				t.Fatalf("%s: fresh store should be behind and say to migrate, got %v", k, err)
			}
			ran, err := db.Migrate(ctx, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			all, _ := store.Migrations(k, e)
			if len(ran) != len(all) {
				t.Fatalf("%s: ran %d of %d migrations", k, len(ran), len(all))
			}
			if err := db.CheckSchema(ctx); err != nil {
				t.Fatalf("%s after migrate: %v", k, err)
			}
			again, err := db.Migrate(ctx, time.Now())
			if err != nil || len(again) != 0 {
				t.Fatalf("%s: second migrate ran %d, err %v", k, len(again), err)
			}
			if err := db.Ping(ctx); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestConcurrentMigrateIsSerialised(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		p := testkit.NewPlace(t, e)
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Go(func() {
				db, err := store.Open(ctx, store.Catalog, p.DSN(store.Catalog))
				if err != nil {
					errs <- err
					return
				}
				defer db.Close()
				_, err = db.Migrate(ctx, time.Now())
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestSchemaNewerThanBuildIsRefused(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		db := testkit.OpenStore(t, e, store.Catalog)
		if _, err := db.Writer().ExecContext(ctx, `INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (999, 'future', 'x', $1)`, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		if err := db.CheckSchema(ctx); err == nil || !strings.Contains(err.Error(), "newer") {
			t.Fatalf("want newer-schema error, got %v", err)
		}
	})
}

func TestChangedMigrationIsRefused(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		db := testkit.OpenStore(t, e, store.Catalog)
		if _, err := db.Writer().ExecContext(ctx, `UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 1`); err != nil {
			t.Fatal(err)
		}
		if err := db.CheckSchema(ctx); err == nil || !strings.Contains(err.Error(), "differs") {
			t.Fatalf("want changed-migration error, got %v", err)
		}
	})
}

func TestSwappedSQLiteFilesAreRefused(t *testing.T) {
	ctx := context.Background()
	p := testkit.NewPlace(t, store.SQLite)
	for _, k := range store.Kinds {
		p.Open(t, k)
	}
	// Open the catalog file as the PHI store.
	db, err := store.Open(ctx, store.PHI, p.DSN(store.Catalog))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, err := range []error{db.CheckSchema(ctx), func() error { _, err := db.Migrate(ctx, time.Now()); return err }()} {
		if err == nil || !strings.Contains(err.Error(), "is the catalog store, not the phi store") {
			t.Fatalf("want identity error, got %v", err)
		}
	}
}

func TestSQLiteFileModeAndPragmas(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "phi.db")
	db, err := store.Open(ctx, store.PHI, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal"} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, st.Mode().Perm())
		}
	}
	checks := map[string]string{"journal_mode": "wal", "foreign_keys": "1", "synchronous": "1", "busy_timeout": "10000"}
	for pragma, want := range checks {
		for _, pool := range []string{"writer", "reader"} {
			q := db.Writer()
			if pool == "reader" {
				q = db.Reader()
			}
			var got string
			if err := q.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s %s = %s, want %s", pool, pragma, got, want)
			}
		}
	}
	if _, err := db.Reader().ExecContext(ctx, `CREATE TABLE x (a INTEGER)`); err == nil {
		t.Fatal("the reader pool must refuse writes")
	}
	if db.Writer().Stats().MaxOpenConnections != 1 {
		t.Fatal("SQLite must have exactly one writer connection")
	}
}
