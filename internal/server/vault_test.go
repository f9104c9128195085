package server_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/vault"
)

// TestVaultOpensOnlyWhereThereIsPHI: a full process opens the audit log and
// the vault (creating their key files 0600) and closes the log with a final
// checkpoint; a storefront process opens neither and creates no key.
func TestVaultOpensOnlyWhereThereIsPHI(t *testing.T) {
	ctx := context.Background()
	for _, role := range []config.Role{config.RoleAll, config.RoleStorefront} {
		cfg := config.Defaults()
		cfg.DataDir = t.TempDir()
		cfg.Role = role
		stores, err := server.OpenStores(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := stores.Migrate(ctx, clock.System{}.Now()); err != nil {
			t.Fatal(err)
		}
		if err := stores.OpenVault(ctx, cfg, nil, nil); err != nil {
			t.Fatal(err)
		}
		holds := stores.Vault != nil && stores.AuditLog != nil
		if holds != (role == config.RoleAll) {
			t.Errorf("%s: vault opened = %v", role, holds)
		}
		for _, f := range []string{config.KEKFileName, config.AuditKeyFileName} {
			st, err := os.Stat(filepath.Join(cfg.DataDir, f))
			switch {
			case role == config.RoleStorefront && err == nil:
				t.Errorf("storefront created %s", f)
			case role == config.RoleAll && (err != nil || st.Mode().Perm() != 0o600):
				t.Errorf("%s: %v %v", f, st, err)
			}
		}
		if err := stores.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// The configuration's default file names are the ones the packages document.
func TestKeyFileNamesAgree(t *testing.T) {
	if config.KEKFileName != vault.KeyFileName || config.AuditKeyFileName != audit.KeyFileName ||
		config.AuditCheckpointFileName != audit.CheckpointFileName ||
		config.ShredLedgerFileName != vault.LedgerFileName || config.Defaults().ShredLedgerPath() != vault.LedgerPath(config.Defaults().KEKPath()) || config.EnvName("kek-file") != vault.KeyFileEnv {
		t.Fatal("config and vault/audit disagree about key file names")
	}
}
