package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/identity"
	"github.com/salvehealth/salve/internal/jobs"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/vault"
)

// Services are the domain services of a process that holds PHI: the audit
// log, the vault, the email outbox, identity and the background jobs.
type Services struct {
	Audit    *audit.Log
	Vault    *vault.Vault
	Outbox   *outbox.Outbox
	Identity *identity.Service
	Jobs     *jobs.Scheduler
	// Mail is false when no mail relay is configured: email waits in the
	// outbox, where the demo's admin page shows it.
	Mail bool
}

// kekPath is the key-encryption key file: SALVE_KEK_FILE, or kek.json in the
// data directory.
func kekPath(cfg *config.Config) string {
	if p := os.Getenv(vault.KeyFileEnv); p != "" {
		return p
	}
	return filepath.Join(cfg.DataDir, vault.KeyFileName)
}

// OpenServices builds the services on opened, migrated PHI and audit stores.
func OpenServices(ctx context.Context, cfg *config.Config, stores *Stores, c clock.Clock, log *slog.Logger, argon auth.Argon2Params) (*Services, error) {
	if stores.PHI == nil || stores.Audit == nil {
		return nil, errors.New("services need the PHI and audit stores")
	}
	al, err := audit.Open(ctx, stores.Audit, audit.Options{Clock: c, Log: log,
		KeyFile: filepath.Join(cfg.DataDir, audit.KeyFileName), CheckpointFile: filepath.Join(cfg.DataDir, audit.CheckpointFileName)})
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	kek, err := vault.OpenKeyFile(kekPath(cfg))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("key-encryption key: %w", err), al.Close())
	}
	v, err := vault.Open(ctx, stores.PHI, kek, al, vault.Options{Clock: c, Log: log})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("vault: %w", err), al.Close())
	}
	var sender notify.Sender
	if cfg.SMTPAddr != "" {
		tlsMode := map[string]string{"starttls": notify.TLSStartTLS, "tls": notify.TLSImplicit, "none": notify.TLSNone}[cfg.SMTPTLS]
		s, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: cfg.SMTPAddr, Username: cfg.SMTPUser, Password: cfg.SMTPPassword,
			From: cfg.SMTPFrom, TLS: tlsMode})
		if err != nil {
			return nil, errors.Join(err, al.Close())
		}
		sender = s
	}
	ob := outbox.New(stores.PHI, v, sender, c, log)
	policy := auth.DefaultSessionPolicy()
	if cfg.SessionAbsolute > 0 {
		policy.Absolute = cfg.SessionAbsolute
	}
	ids := identity.New(stores.PHI, v, al, ob, identity.Options{Clock: c, Log: log, Argon2: argon, Sessions: policy,
		StaffInactivity: cfg.StaffInactivity})
	sched := jobs.New(stores.PHI, c, log,
		jobs.Job{Name: "email.deliver", Every: 5 * time.Second, Run: func(ctx context.Context) error {
			_, err := ob.Deliver(ctx, 100)
			return err
		}},
		jobs.Job{Name: "identity.staff_inactivity", Every: 24 * time.Hour, Run: func(ctx context.Context) error {
			n, err := ids.DisableInactiveStaff(ctx)
			if n > 0 {
				log.InfoContext(ctx, "disabled inactive staff accounts", "count", n)
			}
			return err
		}},
		jobs.Job{Name: "identity.session_purge", Every: time.Hour, Run: func(ctx context.Context) error {
			_, err := ids.PurgeSessions(ctx)
			return err
		}},
	)
	return &Services{Audit: al, Vault: v, Outbox: ob, Identity: ids, Jobs: sched, Mail: sender != nil}, nil
}

// Close writes the audit log's final checkpoint and closes it.
func (s *Services) Close() error {
	if s == nil || s.Audit == nil {
		return nil
	}
	return s.Audit.Close()
}
