package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/jobs"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestJobsRunOnceAcrossProcessesWhenDue: two schedulers on the same store
// (two Salve processes) run a job once per period between them; a failing
// job is recorded and runs again at its next time.
func TestJobsRunOnceAcrossProcessesWhenDue(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		st := testkit.NewStores(t, e)
		c := st.Clock
		var runs, fails atomic.Int32
		job := jobs.Job{Name: "count", Every: time.Hour, Run: func(context.Context) error { runs.Add(1); return nil }}
		bad := jobs.Job{Name: "bad", Every: time.Hour, Run: func(context.Context) error { fails.Add(1); return errors.New("boom") }}
		a := jobs.New(store.NewJobs(st.PHI), c, nil, job, bad)
		b := jobs.New(store.NewJobs(st.PHI), c, nil, job, bad)
		ctx := context.Background()
		a.RunDue(ctx)
		b.RunDue(ctx)
		if runs.Load() != 1 || fails.Load() != 1 {
			t.Fatalf("first period: %d runs, %d failing runs; want 1 and 1", runs.Load(), fails.Load())
		}
		c.Advance(30 * time.Minute)
		a.RunDue(ctx)
		b.RunDue(ctx)
		if runs.Load() != 1 {
			t.Fatalf("ran again before its period: %d", runs.Load())
		}
		c.Advance(31 * time.Minute)
		b.RunDue(ctx)
		a.RunDue(ctx)
		if runs.Load() != 2 || fails.Load() != 2 {
			t.Fatalf("second period: %d runs, %d failing runs; want 2 and 2", runs.Load(), fails.Load())
		}
	})
}

// TestRunStartsWithTheDueJobs: Run runs every due job as it starts, not
// only after its first tick (the tick here is an hour; the hold expiry must
// not wait for it after a restart).
func TestRunStartsWithTheDueJobs(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		st := testkit.NewStores(t, e)
		ran := make(chan struct{})
		s := jobs.New(store.NewJobs(st.PHI), st.Clock, nil,
			jobs.Job{Name: "orders.expire_reservations", Every: time.Minute, Run: func(context.Context) error { close(ran); return nil }})
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() { s.Run(ctx, time.Hour); close(stopped) }()
		// Not a timing budget: a bound so that a failure ends the test
		// instead of hanging it until the hour's tick.
		select {
		case <-ran:
		case <-time.After(2 * time.Minute):
			t.Error("the due job did not run when the scheduler started")
		}
		cancel()
		<-stopped
	})
}

// countingLeases counts the lease attempts that reach the store.
type countingLeases struct {
	jobs.Leases
	n atomic.Int64
}

func (c *countingLeases) Lease(ctx context.Context, name, owner string, now, dueBefore, leaseUntil time.Time) (jobs.Lease, error) {
	c.n.Add(1)
	return c.Leases.Lease(ctx, name, owner, now, dueBefore, leaseUntil)
}

// TestTwoReplicasRunEachJobOncePerPeriodAndStayQuiet: two schedulers on one
// database (two replicas) tick every second for an hour of the fake clock;
// each job runs exactly once per period between them, and they ask the
// store for a lease about twice per job and period each, not at every tick
// (an idle replica costs the database almost nothing).
func TestTwoReplicasRunEachJobOncePerPeriodAndStayQuiet(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		st := testkit.NewStores(t, e)
		c := st.Clock
		periods := map[string]time.Duration{"fast": 5 * time.Second, "minute": time.Minute, "hourly": time.Hour}
		runs := map[string]*atomic.Int32{}
		var js []jobs.Job
		for _, name := range []string{"fast", "minute", "hourly"} {
			n := &atomic.Int32{}
			runs[name] = n
			js = append(js, jobs.Job{Name: name, Every: periods[name], Run: func(context.Context) error { n.Add(1); return nil }})
		}
		la, lb := &countingLeases{Leases: store.NewJobs(st.PHI)}, &countingLeases{Leases: store.NewJobs(st.PHI)}
		a, b := jobs.New(la, c, nil, js...), jobs.New(lb, c, nil, js...)
		ctx := context.Background()
		const ticks = 3600
		for i := range ticks {
			// Who asks first changes, as it would between processes.
			if i%7 == 0 {
				b.RunDue(ctx)
				a.RunDue(ctx)
			} else {
				a.RunDue(ctx)
				b.RunDue(ctx)
			}
			c.Advance(time.Second)
		}
		var perPeriod int64
		for name, every := range periods {
			want := int32(ticks * time.Second / every)
			if got := runs[name].Load(); got != want {
				t.Errorf("job %s (every %s) ran %d times in an hour; want %d", name, every, got, want)
			}
			perPeriod += int64(ticks * time.Second / every)
		}
		// At most two attempts per job and period for each replica; before,
		// every tick asked for every job: 3 × 3600 each.
		for who, l := range map[string]*countingLeases{"a": la, "b": lb} {
			if n := l.n.Load(); n > 2*perPeriod+3 {
				t.Errorf("replica %s asked for a lease %d times in an hour of %d periods", who, n, perPeriod)
			}
		}
	})
}

// TestAKilledLeaderIsReplacedWithinALeasePeriod: a process takes a job's
// lease (jobs.LeaseTTL, as its scheduler takes it) and dies before
// finishing; the other runs the job once that lease ends, not before, and
// not later.
func TestAKilledLeaderIsReplacedWithinALeasePeriod(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		st := testkit.NewStores(t, e)
		c := st.Clock
		ctx := context.Background()
		leases := store.NewJobs(st.PHI)
		start := c.Now()
		// The dead leader's lease, as its scheduler takes it.
		l, err := leases.Lease(ctx, "work", "dead-process", start, start.Add(-time.Minute), start.Add(jobs.LeaseTTL))
		if err != nil || !l.Taken {
			t.Fatalf("dead leader's lease: %+v %v", l, err)
		}
		var ranAt time.Time
		s := jobs.New(leases, c, nil, jobs.Job{Name: "work", Every: time.Minute, Run: func(context.Context) error { ranAt = c.Now(); return nil }})
		for range 120 {
			s.RunDue(ctx)
			if !ranAt.IsZero() {
				break
			}
			c.Advance(time.Second)
		}
		if ranAt.IsZero() || ranAt.Before(start.Add(jobs.LeaseTTL)) || ranAt.After(start.Add(jobs.LeaseTTL+time.Second)) {
			t.Fatalf("the job ran at %v after the leader died; want when its lease ended, %v", ranAt.Sub(start), jobs.LeaseTTL)
		}
	})
}

// TestALiveLeaderKeepsItsLeaseWhileItRuns: a job that runs for several
// lease periods keeps its lease (renewed every third of one), so another
// process never runs it beside it; the lease holder is named by host and
// process id. Real time, with a lease of 1.5 s: a renewal would have to be
// 1 s late for this to fail on a busy machine.
func TestALiveLeaderKeepsItsLeaseWhileItRuns(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		st := testkit.NewStores(t, e)
		ctx := context.Background()
		const ttl = 1500 * time.Millisecond
		var runs atomic.Int32
		release := make(chan struct{})
		long := jobs.Job{Name: "long", Every: time.Hour, Run: func(context.Context) error {
			runs.Add(1)
			<-release
			return nil
		}}
		a := jobs.New(store.NewJobs(st.PHI), clock.System{}, nil, long)
		// The other replica's run of the same job returns at once, so
		// that a run it should not have made shows in the count.
		b := jobs.New(store.NewJobs(st.PHI), clock.System{}, nil, jobs.Job{Name: long.Name, Every: long.Every,
			Run: func(context.Context) error { runs.Add(1); return nil }})
		a.SetLeaseTTL(ttl)
		b.SetLeaseTTL(ttl)
		done := make(chan struct{})
		go func() { a.RunDue(ctx); close(done) }()
		for runs.Load() == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		var holder string
		if err := st.PHI.Reader().QueryRowContext(testkit.AllTenants(ctx), `SELECT leased_by FROM job_runs WHERE name = 'long'`).Scan(&holder); err != nil {
			t.Fatal(err)
		}
		host, _ := os.Hostname()
		if want := fmt.Sprintf("%s:%d:", host, os.Getpid()); !strings.HasPrefix(holder, want) || holder != a.Owner() {
			t.Errorf("lease holder %q, want %q… (the scheduler's owner %q)", holder, want, a.Owner())
		}
		for range 40 { // 4 s: more than two lease periods
			b.RunDue(ctx)
			time.Sleep(100 * time.Millisecond)
		}
		close(release)
		<-done
		if n := runs.Load(); n != 1 {
			t.Fatalf("the job ran %d times while its first run held the lease", n)
		}
	})
}
