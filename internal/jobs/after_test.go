package jobs

import (
	"context"
	"testing"
	"time"
)

// TestAfterHoldsAnswerToFloor checks that a request handing work off answers
// no sooner than AnswerFloor after it began, so that the answer's timing is
// the floor's whatever the work (see AnswerFloor), and that work handed off
// outside a request, or by a request that is gone, is not held an hour.
func TestAfterHoldsAnswerToFloor(t *testing.T) {
	a := NewAfter(nil, 1)
	ctx, started := a.Collect(context.Background())
	begin := time.Now()
	a.Go(ctx, "test", func(context.Context) error { return nil })
	if waited := time.Since(begin); waited < AnswerFloor-time.Millisecond {
		t.Fatalf("Go in a request returned after %v, want at least the floor %v", waited, AnswerFloor)
	}
	started()
	a.Wait()

	// A floor of an hour: Go outside a request, and Go in a request whose
	// client went away, return at once (or the test times out).
	a.floor = time.Hour
	a.Go(context.Background(), "outside", func(context.Context) error { return nil })
	gone, cancel := context.WithCancel(context.Background())
	ctx, started = a.Collect(gone)
	cancel()
	a.Go(ctx, "gone", func(context.Context) error { return nil })
	started()
	a.Wait()
}
