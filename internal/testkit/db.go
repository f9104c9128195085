// Package testkit helps tests use real components: fresh SQLite files and, when
// SALVE_TEST_POSTGRES names a server, fresh PostgreSQL databases; a running test
// server on loopback; a fake clock.
package testkit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
)

// PostgresEnv is the environment variable holding the PostgreSQL server that
// tests may create databases on, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const PostgresEnv = "SALVE_TEST_POSTGRES"

// Engines returns the engines tests run on: SQLite always, PostgreSQL when
// SALVE_TEST_POSTGRES is set.
func Engines() []store.Engine {
	if os.Getenv(PostgresEnv) != "" {
		return []store.Engine{store.SQLite, store.Postgres}
	}
	return []store.Engine{store.SQLite}
}

// ForEachEngine runs fn as a subtest on every engine of Engines.
func ForEachEngine(t *testing.T, fn func(t *testing.T, e store.Engine)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(string(e), func(t *testing.T) { fn(t, e) })
	}
}

// Place is where a test's stores live: a temporary data directory for SQLite,
// or one fresh PostgreSQL database that holds the three stores as schemas.
type Place struct {
	Engine  store.Engine
	DataDir string
	PGURL   string // empty on SQLite
}

// NewPlace makes a fresh place for the engine, removed when the test ends.
func NewPlace(t testing.TB, e store.Engine) Place {
	t.Helper()
	p := Place{Engine: e, DataDir: t.TempDir()}
	if e == store.Postgres {
		p.PGURL = NewPostgresDB(t)
	}
	return p
}

// DSN returns the DSN of one store at this place.
func (p Place) DSN(kind store.Kind) string {
	if p.Engine == store.Postgres {
		return p.PGURL
	}
	return filepath.Join(p.DataDir, string(kind)+".db")
}

// OpenStore opens and migrates one store at a fresh place.
func OpenStore(t testing.TB, e store.Engine, kind store.Kind) *store.DB {
	t.Helper()
	return NewPlace(t, e).Open(t, kind)
}

// Open opens and migrates one store at this place; it is closed when the test ends.
func (p Place) Open(t testing.TB, kind store.Kind) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, kind, p.DSN(kind))
	if err != nil {
		t.Fatalf("open %s store: %v", kind, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Migrate(ctx, time.Now()); err != nil {
		t.Fatalf("migrate %s store: %v", kind, err)
	}
	return db
}

// NewPostgresDB creates a fresh database on the server in SALVE_TEST_POSTGRES
// and drops it when the test ends. It skips the test when the variable is unset.
func NewPostgresDB(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(PostgresEnv)
	if admin == "" {
		t.Skip(PostgresEnv + " is not set; skipping the PostgreSQL run")
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	name := "salve_test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to %s: %v", PostgresEnv, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("drop test database: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// AllTenants returns ctx scoped to every tenant, for a test's own SQL on the
// PHI store that looks across tenants (a count of every row, a check that
// nothing was written in the clear): on PostgreSQL a statement without a
// scope sees nothing behind the tenant wall (store/tenantwall.go).
func AllTenants(ctx context.Context) context.Context { return tenant.AcrossTenants(ctx) }
