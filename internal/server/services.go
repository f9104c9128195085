package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/identity"
	"github.com/salvehealth/salve/internal/jobs"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/outbox"
)

// Services are the domain services of a process that holds PHI, built on the
// stores' audit log and vault: the email outbox, identity and the background
// jobs.
type Services struct {
	Outbox   *outbox.Outbox
	Identity *identity.Service
	Jobs     *jobs.Scheduler
	// Mail is false when no mail relay is configured: email waits in the
	// outbox, where the demo's admin page shows it.
	Mail bool
}

// NewServices builds the services on stores whose vault is open
// (Stores.OpenVault). A mail relay setting that is wrong was refused when the
// configuration loaded.
func NewServices(cfg *config.Config, stores *Stores, c clock.Clock, log *slog.Logger, argon auth.Argon2Params) *Services {
	al, v := stores.AuditLog, stores.Vault
	var sender notify.Sender
	if cfg.SMTPAddr != "" {
		tlsMode := map[string]string{"starttls": notify.TLSStartTLS, "tls": notify.TLSImplicit, "none": notify.TLSNone}[cfg.SMTPTLS]
		s, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: cfg.SMTPAddr, Username: cfg.SMTPUser, Password: cfg.SMTPPassword,
			From: cfg.SMTPFrom, TLS: tlsMode})
		if err != nil {
			// Checked at configuration load; here only if that check drifts.
			log.Error("mail relay unusable; email stays in the outbox", "err", err)
		} else {
			sender = s
		}
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
	return &Services{Outbox: ob, Identity: ids, Jobs: sched, Mail: sender != nil}
}
