package jobs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

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
