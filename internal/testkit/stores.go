package testkit

import (
	"context"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
)

// Stores are the three stores of a fresh place, migrated, with the audit log
// and the vault open, and a default tenant: what a domain test builds its
// service on, without a server.
type Stores struct {
	*server.Stores
	Config *config.Config
	Place  Place
	Clock  *clock.Fake
	Log    *LogBuffer
	// Tenant is the default tenant, answering 127.0.0.1 and unknown hosts.
	Tenant *tenant.Tenant
}

// StartTime is the fake clock's time when a test's stores are made.
var StartTime = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// NewStores opens, migrates and opens the vault of fresh stores on the
// engine, closed when the test ends. configure may change the configuration
// (the data directory and store URLs are set already).
func NewStores(t testing.TB, e store.Engine, configure ...func(*config.Config)) *Stores {
	t.Helper()
	ctx := context.Background()
	p := NewPlace(t, e)
	cfg := config.Defaults()
	cfg.DataDir = p.DataDir
	// The demo's gateway, whose charges tests count, and invoices.
	cfg.PaymentGateways = []string{"test", "invoice"}
	cfg.AllowTestPayments = true
	if e == store.Postgres {
		cfg.CatalogDB, cfg.PHIDB, cfg.AuditDB = p.PGURL, p.PGURL, p.PGURL
	}
	for _, f := range configure {
		f(cfg)
	}
	stores, err := server.OpenStores(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stores.Close() })
	clk := clock.NewFake(StartTime)
	if _, err := stores.Migrate(ctx, clk.Now()); err != nil {
		t.Fatal(err)
	}
	logs := &LogBuffer{}
	if err := stores.OpenVault(ctx, cfg, clk, logs.Logger()); err != nil {
		t.Fatal(err)
	}
	ten := &tenant.Tenant{ID: id.New(), Slug: "test", Name: "Test Pharmacy", Hostnames: []string{"127.0.0.1"},
		Theme: tenant.DefaultTheme, IsDefault: true, CreatedAt: clk.Now(), UpdatedAt: clk.Now()}
	if err := store.NewTenants(stores.Catalog).Create(ctx, ten); err != nil {
		t.Fatal(err)
	}
	return &Stores{Stores: stores, Config: cfg, Place: p, Clock: clk, Log: logs, Tenant: ten}
}
