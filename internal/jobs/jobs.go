// Package jobs runs Salve's background work on a schedule: email delivery,
// disabling inactive staff, purging old sessions. A lease in the PHI store
// makes each job run in one process at a time, however many share the stores.
package jobs

import (
	"context"
	"log/slog"
	"sync"
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

// Lease is what an attempt to take a job's lease found.
type Lease struct {
	// Taken: this process holds the lease and runs the job now.
	Taken bool
	// LastRun and HeldUntil are the job's record when the lease was not
	// taken: its last run, and the end of a lease another process holds
	// (zero when none). The scheduler asks again only when they say the job
	// may be due.
	LastRun, HeldUntil time.Time
}

// Leases are the jobs' leases in the PHI store (internal/store.Jobs), shared
// by every process on the same stores.
type Leases interface {
	// Lease takes a job's lease for owner until leaseUntil when the job is
	// due (its last run at or before dueBefore) and nobody else holds a live
	// lease; otherwise it returns the job's record.
	Lease(ctx context.Context, name, owner string, now, dueBefore, leaseUntil time.Time) (Lease, error)
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
	// mu guards next: the earliest time each job may be due, learnt from
	// its last lease attempt. Why: an idle replica must cost the database
	// almost nothing; without it every tick wrote every job's lease, due or
	// not (about 13 statements a second per replica).
	mu   sync.Mutex
	next map[string]time.Time
}

// New returns a scheduler for the jobs on the leases.
func New(leases Leases, c clock.Clock, log *slog.Logger, jobs ...Job) *Scheduler {
	if c == nil {
		c = clock.System{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{leases: leases, clock: c, log: log, owner: id.New(), jobs: jobs, next: make(map[string]time.Time)}
}

// Names lists the scheduler's jobs, in order.
func (s *Scheduler) Names() []string {
	out := make([]string, len(s.jobs))
	for i, j := range s.jobs {
		out[i] = j.Name
	}
	return out
}

// RunDue runs every job that is due once, in order, and returns when they
// are done. Tests call it after moving a fake clock.
func (s *Scheduler) RunDue(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range s.jobs {
		now := s.clock.Now()
		if now.Before(s.next[j.Name]) {
			continue
		}
		// The lease outlives a slow run by a margin, and expires if the
		// process dies, so another process takes over.
		l, err := s.leases.Lease(ctx, j.Name, s.owner, now, now.Add(-j.Every), now.Add(j.Every+time.Minute))
		if err != nil {
			// Asked again at the next tick.
			s.log.ErrorContext(ctx, "job lease failed", "job", j.Name, "err", err)
			continue
		}
		if !l.Taken {
			s.next[j.Name] = nextTry(l, j.Every, now)
			continue
		}
		errText := ""
		if err := j.Run(ctx); err != nil {
			errText = err.Error()
			s.log.ErrorContext(ctx, "job failed", "job", j.Name, "err", err)
		}
		done := s.clock.Now()
		if err := s.leases.Done(ctx, j.Name, s.owner, done, errText); err != nil {
			s.log.ErrorContext(ctx, "job release failed", "job", j.Name, "err", err)
		}
		s.next[j.Name] = done.Add(j.Every)
	}
}

// nextTry is when a job whose lease was not taken at now may be due: after
// its period since its last run; while another process holds it, when that
// lease ends or a period from now, whichever is first (the holder may finish
// early and then die: then this process must take over within a period).
func nextTry(l Lease, every time.Duration, now time.Time) time.Time {
	if l.HeldUntil.After(now) {
		if t := now.Add(every); t.Before(l.HeldUntil) {
			return t
		}
		return l.HeldUntil
	}
	if l.LastRun.IsZero() {
		return now
	}
	return l.LastRun.Add(every)
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
