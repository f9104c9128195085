// Package jobs runs Salve's background work on a schedule: email delivery,
// disabling inactive staff, purging old sessions. A lease in the PHI store
// makes each job run in one process at a time, however many share the stores.
package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
)

// Job is one piece of scheduled work.
type Job struct {
	Name  string
	Every time.Duration
	// Run does the work. Its error is logged and recorded; the job runs again
	// at its next time.
	Run func(ctx context.Context) error
}

// Leases are the jobs' leases in the PHI store (internal/store.Jobs), shared
// by every process on the same stores.
type Leases interface {
	// Lease takes a job's lease for owner until leaseUntil when the job is
	// due (its last run at or before dueBefore) and nobody else holds a live
	// lease; it reports whether it did.
	Lease(ctx context.Context, name, owner string, now, dueBefore, leaseUntil time.Time) (bool, error)
	// Done records a run (errText: its error, or empty) and releases the lease.
	Done(ctx context.Context, name, owner string, now time.Time, errText string) error
}

// Scheduler runs jobs.
type Scheduler struct {
	leases Leases
	clock  clock.Clock
	log    *slog.Logger
	owner  string
	jobs   []Job
}

// New returns a scheduler for the jobs on the leases.
func New(leases Leases, c clock.Clock, log *slog.Logger, jobs ...Job) *Scheduler {
	if c == nil {
		c = clock.System{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{leases: leases, clock: c, log: log, owner: id.New(), jobs: jobs}
}

// RunDue runs every job that is due once, in order, and returns when they
// are done. Tests call it after moving a fake clock.
func (s *Scheduler) RunDue(ctx context.Context) {
	for _, j := range s.jobs {
		now := s.clock.Now()
		// The lease outlives a slow run by a margin, and expires if the
		// process dies, so another process takes over.
		ok, err := s.leases.Lease(ctx, j.Name, s.owner, now, now.Add(-j.Every), now.Add(j.Every+time.Minute))
		if err != nil {
			s.log.ErrorContext(ctx, "job lease failed", "job", j.Name, "err", err)
			continue
		}
		if !ok {
			continue
		}
		errText := ""
		if err := j.Run(ctx); err != nil {
			errText = err.Error()
			s.log.ErrorContext(ctx, "job failed", "job", j.Name, "err", err)
		}
		if err := s.leases.Done(ctx, j.Name, s.owner, s.clock.Now(), errText); err != nil {
			s.log.ErrorContext(ctx, "job release failed", "job", j.Name, "err", err)
		}
	}
}

// Run runs due jobs every tick until ctx ends.
func (s *Scheduler) Run(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		s.RunDue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
