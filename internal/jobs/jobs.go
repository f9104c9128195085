// Package jobs runs Salve's background work on a schedule: email delivery,
// disabling inactive staff, purging old sessions. A lease in the PHI store
// makes each job run in one process at a time, however many share the stores.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"os"
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
	// Renew extends owner's live lease of a job to leaseUntil; it reports
	// false when owner no longer holds it.
	Renew(ctx context.Context, name, owner string, leaseUntil time.Time) (bool, error)
	// Done records a run (errText: its error, or empty) and releases the lease.
	Done(ctx context.Context, name, owner string, now time.Time, errText string) error
}

// LeaseTTL is how long a job's lease lasts without renewal. The process
// running a job renews it every LeaseTTL/3 while the job runs. Why short and
// renewed: a process killed in the middle of a job (kill -9, a lost node)
// cannot release its lease; another process takes the job over once the
// lease ends, within LeaseTTL, instead of a whole period later (a day, for
// the daily jobs) as with a lease sized to outlast the slowest run.
const LeaseTTL = 30 * time.Second

// Scheduler runs jobs.
type Scheduler struct {
	leases Leases
	clock  clock.Clock
	log    *slog.Logger
	owner  string
	jobs   []Job
	// leaseTTL is LeaseTTL; tests shorten it.
	leaseTTL time.Duration
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
	return &Scheduler{leases: leases, clock: c, log: log, owner: ownerID(), jobs: jobs, leaseTTL: LeaseTTL,
		next: make(map[string]time.Time)}
}

// ownerID names this scheduler in the leases it holds (job_runs.leased_by):
// host and process id, so that an operator can tell which replica holds a
// job, and a random part, so that two schedulers never share a name.
func ownerID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), id.New()[:8])
}

// Periods returns each job's period, by name.
func (s *Scheduler) Periods() map[string]time.Duration {
	out := make(map[string]time.Duration, len(s.jobs))
	for _, j := range s.jobs {
		out[j.Name] = j.Every
	}
	return out
}

// Owner is the name this scheduler holds leases under.
func (s *Scheduler) Owner() string { return s.owner }

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
		// The lease is short and renewed while the job runs (see LeaseTTL):
		// if this process dies, another takes over when it ends.
		l, err := s.leases.Lease(ctx, j.Name, s.owner, now, now.Add(-j.Every), now.Add(s.leaseTTL))
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
		stopRenewing := s.renew(ctx, j.Name)
		if err := j.Run(ctx); err != nil {
			errText = err.Error()
			s.log.ErrorContext(ctx, "job failed", "job", j.Name, "err", err)
		}
		stopRenewing()
		done := s.clock.Now()
		if err := s.leases.Done(ctx, j.Name, s.owner, done, errText); err != nil {
			s.log.ErrorContext(ctx, "job release failed", "job", j.Name, "err", err)
		}
		s.next[j.Name] = done.Add(j.Every)
	}
}

// renew keeps the lease of job name alive while it runs, every LeaseTTL/3,
// until the returned function is called.
func (s *Scheduler) renew(ctx context.Context, name string) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(s.leaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			held, err := s.leases.Renew(ctx, name, s.owner, s.clock.Now().Add(s.leaseTTL))
			if err != nil && ctx.Err() == nil {
				s.log.ErrorContext(ctx, "job lease renewal failed", "job", name, "err", err)
			} else if err == nil && !held {
				// Another process took the job after this one's lease
				// ran out (a stall longer than LeaseTTL): say so; the job
				// itself must bear running twice, as every job here does
				// (each works from the database's state, not a queue).
				s.log.ErrorContext(ctx, "job lease lost while running", "job", name)
				return
			}
		}
	})
	return func() { cancel(); wg.Wait() }
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
