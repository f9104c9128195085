package portal

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestWorkersRunEverythingAtOnceAndExitWhenIdle: the widget pool never makes
// one source wait for another (50 sources that each wait for all the others
// finish), keeps at most max workers and reuses them for the next view, and
// lets every worker go once there is no work.
func TestWorkersRunEverythingAtOnceAndExitWhenIdle(t *testing.T) {
	p := &workers{work: make(chan func()), idle: 50 * time.Millisecond, max: 20}
	view := func() {
		t.Helper()
		const n = 50
		var all, done sync.WaitGroup
		all.Add(n)
		done.Add(n)
		for range n {
			p.run(func() {
				defer done.Done()
				all.Done()
				all.Wait() // every source of the view is running at once
			})
		}
		finished := make(chan struct{})
		go func() { done.Wait(); close(finished) }()
		select {
		case <-finished:
		case <-time.After(10 * time.Second):
			t.Fatal("sources waited for each other")
		}
	}
	view()
	if n := p.live(); n == 0 || n > 20 {
		t.Fatalf("%d workers after a view, want 1 to 20", n)
	}
	view()
	if n := p.live(); n > 20 {
		t.Fatalf("%d workers after the second view, want at most 20", n)
	}
	deadline := time.Now().Add(10 * time.Second)
	for p.live() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d workers still live after being idle", p.live())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The sources' context keeps the request's values and is never cancelled,
// even when the request's is.
func TestUncancelled(t *testing.T) {
	type key struct{}
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
	cancel()
	ctx := context.Context(uncancelled{parent})
	if ctx.Value(key{}) != "v" || ctx.Done() != nil || ctx.Err() != nil {
		t.Fatalf("value %v, done %v, err %v", ctx.Value(key{}), ctx.Done(), ctx.Err())
	}
	if _, ok := ctx.Deadline(); ok {
		t.Fatal("a deadline")
	}
	child, stop := context.WithCancel(ctx)
	defer stop()
	if child.Err() != nil {
		t.Fatal("a child of it was cancelled with the request")
	}
}
