package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestStorefrontRoleHoldsNoPHI: a storefront process is configured with a
// PHI and an audit store that cannot be opened (a refused PostgreSQL port
// on loopback) and key files that cannot be read (under a regular file): it
// still starts, because it never opens them (DESIGN §2.2), and serves the
// public catalog while /account, /staff, /admin and sign-in answer 404. The
// same configuration in role "all" fails to start, so the test would see a
// storefront that tried.
func TestStorefrontRoleHoldsNoPHI(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		st := testkit.NewStores(t, e)
		if _, err := demo.SeedCatalog(ctx, catalog.NewService(store.NewCatalogRepo(st.Catalog), st.Clock), st.Tenant.ID); err != nil {
			t.Fatal(err)
		}
		blocker := filepath.Join(t.TempDir(), "not-a-directory")
		if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg := *st.Config
		if e == store.SQLite {
			// The catalog stays in the data directory; the PHI and audit
			// stores are sent where nothing answers.
			cfg.CatalogDB = ""
		}
		cfg.PHIDB = "postgres://salve:secret@127.0.0.1:1/phi?sslmode=disable&connect_timeout=2"
		cfg.AuditDB = "postgres://salve:secret@127.0.0.1:1/audit?sslmode=disable&connect_timeout=2"
		cfg.KEKFile = filepath.Join(blocker, "kek.json")
		cfg.AuditKeyFile = filepath.Join(blocker, "audit-keys.json")
		cfg.AuditCheckpointFile = filepath.Join(blocker, "audit-checkpoints.jsonl")

		all := cfg
		all.Role = config.RoleAll
		if s, err := server.OpenStores(ctx, &all); err == nil {
			err = s.CheckSchema(ctx)
			if err == nil {
				err = s.OpenVault(ctx, &all, st.Clock, nil)
			}
			_ = s.Close()
			if err == nil {
				t.Fatal("role all started without its PHI store and keys: the test proves nothing")
			}
		}

		front := cfg
		front.Role = config.RoleStorefront
		stores, err := server.OpenStores(ctx, &front)
		if err != nil {
			t.Fatalf("storefront: %v", err)
		}
		defer stores.Close()
		if err := stores.CheckSchema(ctx); err != nil {
			t.Fatal(err)
		}
		if err := stores.OpenVault(ctx, &front, st.Clock, nil); err != nil {
			t.Fatal(err)
		}
		if stores.PHI != nil || stores.Audit != nil || stores.Vault != nil || stores.AuditLog != nil {
			t.Fatal("the storefront holds a PHI or audit store, the vault or the audit log")
		}
		srv, err := server.New(ctx, &front, stores, server.Options{Clock: st.Clock, Log: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv.Handler())
		defer hs.Close()
		get := func(path string) (int, string) {
			t.Helper()
			res, err := http.Get(hs.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			_ = res.Body.Close()
			return res.StatusCode, string(b)
		}
		if code, body := get("/"); code != http.StatusOK || !strings.Contains(body, "Test Pharmacy") {
			t.Fatalf("storefront home: %d", code)
		}
		if code, body := get("/readyz"); code != http.StatusOK || strings.Contains(body, "phi") || strings.Contains(body, "audit") {
			t.Fatalf("storefront readyz: %d %s", code, body)
		}
		_, notFound := get("/no-such-page")
		for _, p := range []string{"/account", "/account/orders", "/staff", "/admin", "/admin/products", "/login", "/checkout"} {
			code, body := get(p)
			if code != http.StatusNotFound || strip(body) != strip(notFound) {
				t.Errorf("storefront %s: %d; want the same 404 as a page that does not exist", p, code)
			}
		}
	})
}
