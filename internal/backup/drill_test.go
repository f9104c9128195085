package backup_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/backup"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// BenchmarkRestoreDrill times a restore drill: the demo data (catalog with
// pictures, the demo accounts) plus SALVE_DRILL_PATIENTS synthetic patients
// (default 0, at most 200000) in fresh stores, then backup create to a
// directory, verify, and restore into fresh, empty stores; on every engine of
// testkit.Engines. The restore time is the main term of the RTO.
//
//	SALVE_DRILL_PATIENTS=10000 go test -run '^$' -bench RestoreDrill -benchtime 1x ./internal/backup
func BenchmarkRestoreDrill(b *testing.B) {
	patients, _ := strconv.Atoi(os.Getenv("SALVE_DRILL_PATIENTS"))
	if patients < 0 || patients > 200000 {
		b.Fatal("SALVE_DRILL_PATIENTS must be from 0 to 200000")
	}
	for _, e := range testkit.Engines() {
		b.Run(fmt.Sprintf("%s/patients=%d", e, patients), func(b *testing.B) {
			ctx := context.Background()
			src := testkit.NewPlace(b, e)
			cfg := placeConfig(src)
			stores := drillSeed(b, cfg, patients)
			key, err := age.GenerateX25519Identity()
			if err != nil {
				b.Fatal(err)
			}
			ids := []age.Identity{key}
			var created, verified, restored time.Duration
			var size, rows int64
			for b.Loop() {
				target := backup.Dir(b.TempDir())
				t0 := time.Now()
				m, err := backup.Create(ctx, backup.Sources{Catalog: stores.Catalog, PHI: stores.PHI, Audit: stores.Audit,
					AuditKeyFile: cfg.AuditKeyPath(), CheckpointFile: cfg.AuditCheckpointPath()},
					backup.Options{Recipients: []age.Recipient{key.Recipient()}, Targets: []backup.Target{target}, Now: time.Now(), TempDir: b.TempDir()})
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				rep, err := backup.Verify(ctx, target, m.ID, ids, verifyOptions(b, e))
				if err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				dst := placeConfig(testkit.NewPlace(b, e))
				_, err = backup.Restore(ctx, target, m.ID, ids, backup.Destination{
					Catalog: dst.StoreDSN("catalog"), PHI: dst.StoreDSN("phi"), Audit: dst.StoreDSN("audit"),
					AuditKeyFile: dst.AuditKeyPath(), CheckpointFile: dst.AuditCheckpointPath(),
					LedgerFile: filepath.Join(dst.DataDir, "shred-ledger.jsonl"), NoLedger: true}, b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				created, verified, restored = created+t1.Sub(t0), verified+t2.Sub(t1), restored+time.Since(t2)
				size, rows = 0, rep.Rows
				for _, f := range m.Files {
					size += f.Size
				}
			}
			n := float64(b.N)
			b.ReportMetric(float64(created.Milliseconds())/n, "create-ms")
			b.ReportMetric(float64(verified.Milliseconds())/n, "verify-ms")
			b.ReportMetric(float64(restored.Milliseconds())/n, "restore-ms")
			b.ReportMetric(float64(size), "backup-bytes")
			b.ReportMetric(float64(rows), "rows")
		})
	}
}

// placeConfig is the configuration of the stores at a place.
func placeConfig(p testkit.Place) *config.Config {
	cfg := config.Defaults()
	cfg.DataDir = p.DataDir
	if p.Engine == store.Postgres {
		cfg.CatalogDB, cfg.PHIDB, cfg.AuditDB = p.PGURL, p.PGURL, p.PGURL
	}
	return cfg
}

// drillSeed makes the demo data and n synthetic patients, as `salve demo`
// does, and returns the open stores.
func drillSeed(b *testing.B, cfg *config.Config, n int) *server.Stores {
	b.Helper()
	ctx := context.Background()
	clk := clock.System{}
	log := slog.New(slog.DiscardHandler)
	stores, err := server.OpenStores(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = stores.Close() })
	if _, err := stores.Migrate(ctx, clk.Now()); err != nil {
		b.Fatal(err)
	}
	if _, err := demo.Seed(ctx, stores.Catalog, clk); err != nil {
		b.Fatal(err)
	}
	if _, err := demo.SeedImages(ctx, stores.Catalog, clk, max(runtime.GOMAXPROCS(0)-1, 1)); err != nil {
		b.Fatal(err)
	}
	if err := stores.OpenVault(ctx, cfg, clk, log); err != nil {
		b.Fatal(err)
	}
	svc, err := server.NewServices(cfg, stores, clk, log, auth.DefaultArgon2())
	if err != nil {
		b.Fatal(err)
	}
	if err := demo.SeedPeople(ctx, stores.Catalog, svc.Accounts); err != nil {
		b.Fatal(err)
	}
	ten, err := store.NewTenants(stores.Catalog).BySlug(ctx, demo.TenantSlug)
	if err != nil {
		b.Fatal(err)
	}
	// The demo patient's password hash, made ahead of time: hashing 10,000
	// passwords would time Argon2, not the backup.
	hash := demo.People[0].Hash
	for i := range n {
		email := fmt.Sprintf("patient%06d@drill.example", i)
		if _, err := svc.Accounts.CreateUserHashed(ctx, ten.ID, access.RolePatient, email, fmt.Sprintf("Drill Patient %06d", i), hash); err != nil {
			b.Fatalf("patient %d: %v", i, err)
		}
	}
	return stores
}
