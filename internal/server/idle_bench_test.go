package server_test

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// BenchmarkIdleReplica measures what idle `salve serve` processes (role all,
// no traffic) cost PostgreSQL: the transactions its connections commit per
// second, read from pg_stat_database of the benchmark's own database after
// the server stopped (a backend flushes its statistics when it exits).
// Every statement Salve issues outside a transaction is one transaction, so
// this counts statements (a transaction of several counts once). It runs
// SALVE_IDLE_SECONDS (default 30) of wall time per iteration, with
// SALVE_IDLE_REPLICAS servers (default 1) sharing the database; the
// audit key, checkpoint and KEK files are shared through one data directory,
// as on one host:
//
//	SALVE_TEST_POSTGRES=... go test -run '^$' -bench IdleReplica -benchtime 1x ./internal/server
func BenchmarkIdleReplica(b *testing.B) {
	if os.Getenv("SALVE_TEST_POSTGRES") == "" {
		b.Skip("PostgreSQL only: set SALVE_TEST_POSTGRES")
	}
	secs, replicas := 30, 1
	if v, err := strconv.Atoi(os.Getenv("SALVE_IDLE_REPLICAS")); err == nil && v > 0 {
		replicas = v
	}
	if v, err := strconv.Atoi(os.Getenv("SALVE_IDLE_SECONDS")); err == nil && v > 0 {
		secs = v
	}
	ctx := context.Background()
	for b.Loop() {
		p := testkit.NewPlace(b, store.Postgres)
		cfg := config.Defaults()
		cfg.DataDir, cfg.CatalogDB, cfg.PHIDB, cfg.AuditDB = p.DataDir, p.PGURL, p.PGURL, p.PGURL
		cfg.Addr = "127.0.0.1:0"
		setup, err := server.OpenStores(ctx, cfg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := setup.Migrate(ctx, time.Now()); err != nil {
			b.Fatal(err)
		}
		now := time.Now().UTC()
		if err := store.NewTenants(setup.Catalog).Create(ctx, &tenant.Tenant{ID: id.New(), Slug: "idle", Name: "Idle", Hostnames: []string{"127.0.0.1"},
			Theme: tenant.DefaultTheme, IsDefault: true, CreatedAt: now, UpdatedAt: now}); err != nil {
			b.Fatal(err)
		}
		if err := setup.Close(); err != nil {
			b.Fatal(err)
		}
		stats, err := store.Open(ctx, store.Catalog, p.PGURL)
		if err != nil {
			b.Fatal(err)
		}
		count := func() int64 {
			// The server's backends have exited; their statistics reach the
			// shared view within a moment.
			time.Sleep(1500 * time.Millisecond)
			var n int64
			if _, err := stats.Writer().ExecContext(ctx, `SELECT pg_stat_clear_snapshot()`); err != nil {
				b.Fatal(err)
			}
			if err := stats.Reader().QueryRowContext(ctx, `SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()`).Scan(&n); err != nil {
				b.Fatal(err)
			}
			return n
		}
		before := count()

		runCtx, stop := context.WithCancel(ctx)
		var all []*server.Stores
		done := make(chan error, replicas)
		for range replicas {
			stores, err := server.OpenStores(ctx, cfg)
			if err != nil {
				b.Fatal(err)
			}
			if err := stores.OpenVault(ctx, cfg, nil, nil); err != nil {
				b.Fatal(err)
			}
			srv, err := server.New(ctx, cfg, stores, server.Options{Log: slog.New(slog.DiscardHandler), Argon2: testkit.TestArgon2})
			if err != nil {
				b.Fatal(err)
			}
			ready := make(chan struct{})
			go func() { done <- srv.Run(runCtx, func(string) { close(ready) }) }()
			<-ready
			all = append(all, stores)
		}
		start := time.Now()
		time.Sleep(time.Duration(secs) * time.Second)
		stop()
		for range replicas {
			if err := <-done; err != nil {
				b.Fatal(err)
			}
		}
		elapsed := time.Since(start)
		for _, stores := range all {
			if err := stores.Close(); err != nil {
				b.Fatal(err)
			}
		}
		// Less the two statements of the first count.
		n := count() - before - 2
		_ = stats.Close()
		b.ReportMetric(float64(n)/elapsed.Seconds(), "stmts/s")
		b.ReportMetric(float64(n), "stmts")
	}
}
