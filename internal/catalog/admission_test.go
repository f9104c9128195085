package catalog_test

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// gatedRepo holds every search at the store until released, counting how
// many are inside at once.
type gatedRepo struct {
	*store.CatalogRepo
	inside, peak, calls atomic.Int64
	entered             chan struct{}
	release             chan struct{}
}

func (g *gatedRepo) Search(ctx context.Context, tenantID string, spec catalog.Spec) ([]string, catalog.Counts, error) {
	g.calls.Add(1)
	n := g.inside.Add(1)
	for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
	}
	g.entered <- struct{}{}
	<-g.release
	g.inside.Add(-1)
	return g.CatalogRepo.Search(ctx, tenantID, spec)
}

// TestSearchesTakeTurns: however many searches come at once, no more run
// their SQL together than the process has processors (see admission.go);
// the others wait and then run, and one given up while waiting never
// reaches the store.
func TestSearchesTakeTurns(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		repo, tid := newRepo(t, e)
		seed(t, catalog.NewService(repo, clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))), tid)
		g := &gatedRepo{CatalogRepo: repo, entered: make(chan struct{}, 64), release: make(chan struct{})}
		svc := catalog.NewService(g, clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)))
		ctx := context.Background()
		slots := runtime.GOMAXPROCS(0)
		const waiting = 3
		results := make(chan error, slots+waiting)
		for range slots + waiting {
			go func() {
				r, err := svc.Search(ctx, tid, catalog.Query{Text: "glucose", MinPrice: -1, MaxPrice: -1})
				if err == nil && r.Total != 3 {
					err = errors.New("a search found other than the 3 glucose products")
				}
				results <- err
			}()
		}
		for range slots {
			<-g.entered // every slot taken; the others wait
		}
		// One more, given up while it waits: it returns its context's
		// error and never reaches the store.
		gone, giveUp := context.WithCancel(ctx)
		quit := make(chan error, 1)
		go func() {
			_, err := svc.Search(gone, tid, catalog.Query{Text: "glucose", MinPrice: -1, MaxPrice: -1})
			quit <- err
		}()
		giveUp()
		if err := <-quit; !errors.Is(err, context.Canceled) {
			t.Fatalf("a search given up while waiting: %v, want context.Canceled", err)
		}
		if n := g.inside.Load(); n != int64(slots) {
			t.Fatalf("%d searches at the store with %d slots", n, slots)
		}
		close(g.release)
		for range slots + waiting {
			if err := <-results; err != nil {
				t.Fatal(err)
			}
		}
		if p := g.peak.Load(); p != int64(slots) {
			t.Fatalf("at most %d searches ran at once, want %d (GOMAXPROCS)", p, slots)
		}
		if c := g.calls.Load(); c != int64(slots+waiting) {
			t.Fatalf("%d searches reached the store, want %d (none given up)", c, slots+waiting)
		}
	})
}
