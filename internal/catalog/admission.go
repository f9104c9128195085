package catalog

import (
	"context"
	"runtime"
)

// admission lets at most as many searches run their SQL at once as the
// process has processors; the others wait their turn, first come first
// served.
//
// Why: a search's SQL is CPU work of very uneven size (a broad two-word
// query at 100,000 products reads a hundred times the rows of a narrow
// one). With every search running at once, the processors are shared among
// all of them, so each takes its own time multiplied by how many run
// beside it: under load the slowest searches became the slow tail (p99),
// and no search finished sooner for it. Taking turns keeps the same
// throughput, while a search's time becomes the wait for the ones ahead of
// it plus its own. Why a channel: the senders blocked on a full channel
// are woken in the order they came, and a freed slot goes to the first of
// them, never to a later arrival.
type admission chan struct{}

func newAdmission() admission {
	return make(admission, max(1, runtime.GOMAXPROCS(0)))
}

// enter waits for a turn; a request given up meanwhile (the client went
// away, a deadline) stops waiting with the context's error.
func (a admission) enter(ctx context.Context) error {
	select {
	case a <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// leave gives the turn to the first search waiting.
func (a admission) leave() { <-a }

// storeSearch is the store's search in turn (see admission).
func (s *Service) storeSearch(ctx context.Context, tenantID string, spec Spec) ([]string, Counts, error) {
	if err := s.searches.enter(ctx); err != nil {
		return nil, Counts{}, err
	}
	defer s.searches.leave()
	return s.store.Search(ctx, tenantID, spec)
}
