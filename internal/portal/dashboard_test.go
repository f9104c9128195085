package portal

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
)

func allowAll(access.DataClass) bool { return true }

// TestDashboardAsksSourcesTogether: every source of a view is asked while
// the others are still being asked (so their audit events can share one
// group commit), and the panels keep the arrangement's order.
func TestDashboardAsksSourcesTogether(t *testing.T) {
	s, _, ctx := newTest()
	arr, err := s.Arrangement(ctx, "t1", "p1")
	if err != nil {
		t.Fatal(err)
	}
	var shown []string
	for _, k := range arr.Visible {
		if w, _ := Lookup(k); w.Own || allowAll(w.Class) {
			shown = append(shown, k)
		}
	}
	if len(shown) < 2 {
		t.Fatalf("want several widgets, got %v", shown)
	}
	// Each source waits until every source has started: asked one after
	// another, the first would never see the others arrive.
	var started sync.WaitGroup
	started.Add(len(shown))
	all := make(chan struct{})
	go func() { started.Wait(); close(all) }()
	var together atomic.Int32
	sources := Sources{}
	for _, k := range shown {
		sources[k] = SourceFunc(func(context.Context, string, string) (Summary, error) {
			started.Done()
			select {
			case <-all:
				together.Add(1)
			case <-time.After(10 * time.Second): // not a budget: a way out of the deadlock a sequential view would be
			}
			return Summary{Lines: []Line{{Title: k}}}, nil
		})
	}
	d, err := s.Dashboard(ctx, View{TenantID: "t1", ViewerID: "p1", PatientID: "p1", Allowed: allowAll}, sources)
	if err != nil {
		t.Fatal(err)
	}
	if int(together.Load()) != len(shown) {
		t.Fatalf("%d of %d sources were asked together", together.Load(), len(shown))
	}
	var got []string
	for _, p := range d.Panels {
		if len(p.Summary.Lines) != 1 || p.Summary.Lines[0].Title != p.Key {
			t.Fatalf("panel %s shows %+v", p.Key, p.Summary)
		}
		got = append(got, p.Key)
	}
	if !slices.Equal(got, shown) {
		t.Fatalf("panels %v, want the arrangement's order %v", got, shown)
	}
	if !d.Panels[0].First || !d.Panels[len(d.Panels)-1].Last {
		t.Fatal("first and last are not marked")
	}
}

// TestDashboardSourceErrors: a source's NotFound leaves its widget out; any
// other error of any source fails the whole view, whatever the others did.
func TestDashboardSourceErrors(t *testing.T) {
	s, _, ctx := newTest()
	arr, err := s.Arrangement(ctx, "t1", "p1")
	if err != nil {
		t.Fatal(err)
	}
	first, last := arr.Visible[0], arr.Visible[len(arr.Visible)-1]
	ok := SourceFunc(func(context.Context, string, string) (Summary, error) { return Summary{}, nil })
	v := View{TenantID: "t1", ViewerID: "p1", PatientID: "p1", Allowed: allowAll}

	sources := Sources{}
	for _, k := range arr.Visible {
		sources[k] = ok
	}
	sources[first] = SourceFunc(func(context.Context, string, string) (Summary, error) {
		return Summary{}, apperr.New(apperr.NotFound, "not found")
	})
	d, err := s.Dashboard(ctx, v, sources)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range d.Panels {
		if p.Key == first {
			t.Fatalf("a denied widget %s is shown", first)
		}
	}
	if len(d.Panels) == 0 || !d.Panels[0].First {
		t.Fatal("the first shown panel is not marked first")
	}

	boom := errors.New("audit store down")
	sources[last] = SourceFunc(func(context.Context, string, string) (Summary, error) { return Summary{}, boom })
	if d, err := s.Dashboard(ctx, v, sources); !errors.Is(err, boom) || len(d.Panels) != 0 {
		t.Fatalf("a failing source gave %d panels and %v", len(d.Panels), err)
	}
}

// TestRememberConcurrently: askers of one key share one computation, and a
// key being computed does not hold up another key.
func TestRememberConcurrently(t *testing.T) {
	ctx := WithMemo(context.Background())
	var calls atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			v, err := Remember(ctx, "orders:t1:p1", func() (int, error) {
				calls.Add(1)
				return 42, nil
			})
			if v != 42 || err != nil {
				t.Errorf("got %d, %v", v, err)
			}
		})
	}
	wg.Wait()
	if calls.Load() != 1 {
		t.Fatalf("computed %d times", calls.Load())
	}

	// "a" finishes only after "b" was computed: with one lock over every
	// computation this would never finish.
	bDone := make(chan struct{})
	aStarted := make(chan struct{})
	aDone := make(chan error, 1)
	go func() {
		_, err := Remember(ctx, "a", func() (int, error) {
			close(aStarted)
			select {
			case <-bDone:
				return 1, nil
			case <-time.After(10 * time.Second): // a way out, not a budget
				return 0, errors.New("b waited for a")
			}
		})
		aDone <- err
	}()
	<-aStarted
	if _, err := Remember(ctx, "b", func() (int, error) { return 2, nil }); err != nil {
		t.Fatal(err)
	}
	close(bDone)
	if err := <-aDone; err != nil {
		t.Fatal(err)
	}

	// An error is remembered too: the view does not ask twice.
	boom := errors.New("boom")
	for range 2 {
		if _, err := Remember(ctx, "e", func() (int, error) { calls.Add(1); return 0, boom }); !errors.Is(err, boom) {
			t.Fatalf("got %v", err)
		}
	}
	if calls.Load() != 2 {
		t.Fatalf("the failing key was computed %d times", calls.Load())
	}
}
