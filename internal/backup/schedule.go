package backup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"filippo.io/age"
)

// Schedule is the scheduled backup: what the job runner (internal/jobs) runs
// every period, under its lease, in one process of all those sharing the
// stores.
type Schedule struct {
	Sources    Sources
	Recipients []age.Recipient
	Targets    []Target
	// Policy prunes every target after each backup.
	Policy Policy
	// Now is the clock.
	Now func() time.Time
	// TempDir holds the encrypted files until they are written to the
	// targets; the system's temporary folder when empty.
	TempDir string
	Log     *slog.Logger
}

// Run takes a backup to every target, checks it on each (Check, which marks
// it verified), then prunes each target by the policy. A target that fails
// its check is still pruned: pruning never removes the newest verified
// backup, so a run of failures cannot leave a target without a good one.
func (s *Schedule) Run(ctx context.Context) error {
	log := s.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m, err := Create(ctx, s.Sources, Options{Recipients: s.Recipients, Targets: s.Targets, Now: s.Now(), TempDir: s.TempDir})
	if err != nil {
		return err
	}
	var size int64
	for _, f := range m.Files {
		size += f.Size
	}
	log.InfoContext(ctx, "scheduled backup written", "id", m.ID, "bytes", size, "targets", len(s.Targets), "audit_head", m.AuditHead.Seq)
	var errs []error
	for _, t := range s.Targets {
		if err := Check(ctx, t, m.ID, s.Now()); err != nil {
			errs = append(errs, fmt.Errorf("backup %s on %s: %w", m.ID, t, err))
		}
		removed, err := Prune(ctx, t, s.Policy, s.Now())
		if len(removed) > 0 {
			log.InfoContext(ctx, "old backups pruned", "target", t.String(), "count", len(removed), "policy", s.Policy.String())
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("prune %s: %w", t, err))
		}
	}
	return errors.Join(errs...)
}
