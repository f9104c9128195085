package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/vault"
)

// OpenVault opens the audit log and the vault on the opened, migrated stores.
// A storefront process has no PHI or audit store and opens neither: it holds
// no keys (DESIGN §2.2).
func (s *Stores) OpenVault(ctx context.Context, cfg *config.Config, clk clock.Clock, log *slog.Logger) error {
	if s.PHI == nil || s.Audit == nil || s.Vault != nil {
		return nil // no PHI here, or open already
	}
	if clk == nil {
		clk = clock.System{}
	}
	al, err := audit.Open(ctx, store.NewAuditEvents(s.Audit), audit.Options{
		Clock: clk, KeyFile: cfg.AuditKeyPath(), CheckpointFile: cfg.AuditCheckpointPath(),
		CheckpointEvery: cfg.AuditCheckpointEvery, Log: log,
	})
	if err != nil {
		return fmt.Errorf("open audit log: %w", err)
	}
	kek, err := vault.OpenKeyFile(cfg.KEKPath())
	if err != nil {
		return errors.Join(fmt.Errorf("open key-encryption key: %w", err), al.Close())
	}
	v, err := vault.Open(ctx, store.NewVaultKeys(s.PHI), kek, al, vault.Options{Clock: clk, Log: log,
		Ledger: vault.NewLedgerFile(cfg.ShredLedgerPath())})
	if err != nil {
		return errors.Join(fmt.Errorf("open vault: %w", err), al.Close())
	}
	s.AuditLog, s.Vault = al, v
	return nil
}

// closeVault closes the audit log, which writes its final signed checkpoint.
func (s *Stores) closeVault() error {
	if s.AuditLog == nil {
		return nil
	}
	err := s.AuditLog.Close()
	s.AuditLog, s.Vault = nil, nil
	if err != nil {
		return fmt.Errorf("close audit log: %w", err)
	}
	return nil
}
