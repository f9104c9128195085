// Command backupdrill times a backup and restore drill: it makes the demo data
// (catalog, product pictures, demo accounts) plus -patients synthetic patients
// in fresh stores, then times `backup create` to a directory, `backup verify`
// and `backup restore` into fresh, empty stores, and prints the figures. The
// restore time is the recovery time objective's main term.
//
//	go run ./bench/backupdrill -patients 10000
//	go run ./bench/backupdrill -pg postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
//
// With -pg it creates two databases on that (loopback only) server, drops
// them at the end, and runs the drill on PostgreSQL.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"filippo.io/age"
	"github.com/jackc/pgx/v5"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/backup"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
)

func main() {
	patients := flag.Int("patients", 0, "synthetic patients added to the demo data (at most 200000)")
	pg := flag.String("pg", "", "a PostgreSQL server (loopback) to run the drill on; SQLite files when empty")
	flag.Parse()
	if err := run(*patients, *pg); err != nil {
		fmt.Fprintln(os.Stderr, "backupdrill:", err)
		os.Exit(1)
	}
}

func run(patients int, pg string) error {
	if patients < 0 || patients > 200000 {
		return errors.New("-patients must be from 0 to 200000")
	}
	ctx := context.Background()
	work, err := os.MkdirTemp("", "salve-drill-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	src := config.Defaults()
	src.DataDir = filepath.Join(work, "live")
	dst := config.Defaults()
	dst.DataDir = filepath.Join(work, "restored")
	engine := "sqlite"
	if pg != "" {
		engine = "postgres"
		a, err := newDB(ctx, pg)
		if err != nil {
			return err
		}
		defer dropDB(pg, a)
		b, err := newDB(ctx, pg)
		if err != nil {
			return err
		}
		defer dropDB(pg, b)
		src.CatalogDB, src.PHIDB, src.AuditDB = dbURL(pg, a), dbURL(pg, a), dbURL(pg, a)
		dst.CatalogDB, dst.PHIDB, dst.AuditDB = dbURL(pg, b), dbURL(pg, b), dbURL(pg, b)
	}

	t0 := time.Now()
	stores, err := seed(ctx, src, patients)
	if err != nil {
		return err
	}
	defer stores.Close()
	seeded := time.Since(t0)

	key, err := age.GenerateX25519Identity()
	if err != nil {
		return err
	}
	target := backup.Dir(filepath.Join(work, "backups"))
	t1 := time.Now()
	m, err := backup.Create(ctx, backup.Sources{Catalog: stores.Catalog, PHI: stores.PHI, Audit: stores.Audit,
		AuditKeyFile: src.AuditKeyPath(), CheckpointFile: src.AuditCheckpointPath()},
		backup.Options{Recipients: []age.Recipient{key.Recipient()}, Targets: []backup.Target{target}, Now: time.Now()})
	if err != nil {
		return err
	}
	created := time.Since(t1)
	var size int64
	for _, f := range m.Files {
		size += f.Size
	}
	ids := []age.Identity{key}
	vo := backup.VerifyOptions{}
	if pg != "" {
		c, err := newDB(ctx, pg)
		if err != nil {
			return err
		}
		defer dropDB(pg, c)
		vo.ScratchDB = dbURL(pg, c)
	}
	t2 := time.Now()
	vr, err := backup.Verify(ctx, target, m.ID, ids, vo)
	if err != nil {
		return err
	}
	verified := time.Since(t2)
	t3 := time.Now()
	_, err = backup.Restore(ctx, target, m.ID, ids, backup.Destination{
		Catalog: dst.StoreDSN("catalog"), PHI: dst.StoreDSN("phi"), Audit: dst.StoreDSN("audit"),
		AuditKeyFile: dst.AuditKeyPath(), CheckpointFile: dst.AuditCheckpointPath(), LedgerFile: filepath.Join(dst.DataDir, "shred-ledger.jsonl"), NoLedger: true}, "")
	if err != nil {
		return err
	}
	restored := time.Since(t3)
	fmt.Printf("engine=%s patients=%d rows=%d audit_events=%d backup_bytes=%d seed=%s create=%s verify=%s restore=%s cores=%d\n",
		engine, patients, vr.Rows, vr.AuditEvents, size, seeded.Round(time.Millisecond), created.Round(time.Millisecond),
		verified.Round(time.Millisecond), restored.Round(time.Millisecond), runtime.GOMAXPROCS(0))
	return nil
}

// seed makes the demo data and n synthetic patients, as `salve demo` does.
func seed(ctx context.Context, cfg *config.Config, n int) (*server.Stores, error) {
	clk := clock.System{}
	log := slog.New(slog.DiscardHandler)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, err
	}
	stores, err := server.OpenStores(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := stores.Migrate(ctx, clk.Now()); err != nil {
		return stores, err
	}
	if _, err := demo.Seed(ctx, stores.Catalog, clk); err != nil {
		return stores, err
	}
	if _, err := demo.SeedImages(ctx, stores.Catalog, clk, max(runtime.GOMAXPROCS(0)-1, 1)); err != nil {
		return stores, err
	}
	if err := stores.OpenVault(ctx, cfg, clk, log); err != nil {
		return stores, err
	}
	svc, err := server.NewServices(cfg, stores, clk, log, auth.DefaultArgon2())
	if err != nil {
		return stores, err
	}
	if err := demo.SeedPeople(ctx, stores.Catalog, svc.Accounts); err != nil {
		return stores, err
	}
	ten, err := store.NewTenants(stores.Catalog).BySlug(ctx, demo.TenantSlug)
	if err != nil {
		return stores, err
	}
	// The demo patient's password hash, made ahead of time: hashing 10,000
	// passwords would time Argon2, not the backup.
	hash := demo.People[0].Hash
	for i := range n {
		email := fmt.Sprintf("patient%06d@drill.example", i)
		if _, err := svc.Accounts.CreateUserHashed(ctx, ten.ID, access.RolePatient, email, fmt.Sprintf("Drill Patient %06d", i), hash); err != nil {
			return stores, fmt.Errorf("patient %d: %w", i, err)
		}
	}
	return stores, nil
}

// newDB creates a database for the drill on the loopback server at admin.
func newDB(ctx context.Context, admin string) (string, error) {
	u, err := url.Parse(admin)
	if err != nil || !config.IsLoopback(u.Host) && u.Hostname() != "localhost" && u.Hostname() != "127.0.0.1" {
		return "", errors.New("-pg must be a loopback PostgreSQL server")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "salve_drill_" + hex.EncodeToString(b[:])
	c, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, "CREATE DATABASE "+name)
	return name, err
}

func dropDB(admin, name string) {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, admin)
	if err != nil {
		return
	}
	defer c.Close(ctx)
	_, _ = c.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)")
}

func dbURL(admin, name string) string {
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	return u.String()
}
