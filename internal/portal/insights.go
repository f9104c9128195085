package portal

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
)

// The keys of the pages counted beside the widgets.
const (
	PageDashboard = "page:dashboard"
	PageProfile   = "page:profile"
)

// Opened counts one open of a widget (its "see all" link) or a page by one
// of a tenant's patients: in memory, no person, no address, no browser.
// It never fails and never waits on the database.
func (s *Service) Opened(tenantID, key string) {
	if tenantID == "" || key == "" {
		return
	}
	day := s.clock.Now().UTC().Format(time.DateOnly)
	s.mu.Lock()
	s.pending[Open{TenantID: tenantID, Day: day, Key: key}]++
	s.mu.Unlock()
}

// Flush writes the counts kept since the last flush; on failure they are
// kept for the next one.
func (s *Service) Flush(ctx context.Context) error {
	s.mu.Lock()
	batch := s.pending
	s.pending = map[Open]int64{}
	s.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	opens := make([]Open, 0, len(batch))
	for k, n := range batch {
		k.Opens = n
		opens = append(opens, k)
	}
	if err := s.store.AddOpens(ctx, opens); err != nil {
		s.mu.Lock()
		for k, n := range batch {
			s.pending[k] += n
		}
		s.mu.Unlock()
		return err
	}
	return nil
}

// RunFlusher flushes every period until ctx ends, then once more. Why not
// a leased job: each process holds its own counts, so each flushes them.
func (s *Service) RunFlusher(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := s.Flush(context.WithoutCancel(ctx)); err != nil {
				s.log.Error("dashboard counts not flushed at shutdown", "err", err)
			}
			return
		case <-t.C:
			if err := s.Flush(ctx); err != nil {
				s.log.Error("dashboard counts not flushed", "err", err)
			}
		}
	}
}

// Insight is how often a tenant's patients opened one widget or page.
type Insight struct {
	Key, Label string
	// Week and Month are the counts of the last 7 and 30 days; Shown is
	// false for a count below MinShown, which the page does not show.
	Week, Month           int64
	WeekShown, MonthShown bool
}

// Insights are a tenant's counts and its default order, as a store manager
// sees them.
type Insights struct {
	Rows []Insight
	// Pinned is the pinned default order; nil when the counts decide.
	Pinned []string
	// Default is the order a patient who never arranged sees.
	Default []string
}

// manager checks that the actor in ctx may see and pin a tenant's
// insights: a store manager or admin of the tenant. Why they: the counts
// hold no PHI, and the default order is a merchandising decision.
func manager(ctx context.Context, tenantID string) (access.Actor, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.TenantID != tenantID || (a.Role != access.RoleStoreManager && a.Role != access.RoleAdmin) {
		return a, apperr.DeniedError(errors.New("only a store manager sees dashboard insights"))
	}
	return a, nil
}

// Insights returns a tenant's counts for the last 7 and 30 days, counts
// below MinShown withheld, and the default order.
func (s *Service) Insights(ctx context.Context, tenantID string) (Insights, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := manager(ctx, tenantID); err != nil {
		return Insights{}, err
	}
	now := s.clock.Now().UTC()
	month, err := s.store.Opens(ctx, tenantID, now.Add(-Period).Format(time.DateOnly))
	if err != nil {
		return Insights{}, err
	}
	week, err := s.store.Opens(ctx, tenantID, now.Add(-7*24*time.Hour).Format(time.DateOnly))
	if err != nil {
		return Insights{}, err
	}
	var in Insights
	labels := map[string]string{PageDashboard: "Dashboard (page)", PageProfile: "Profile (page)"}
	for _, w := range Widgets() {
		labels[w.Key] = w.Title
	}
	for _, k := range append(Keys(), PageDashboard, PageProfile) {
		r := Insight{Key: k, Label: labels[k], Week: week[k], Month: month[k]}
		r.WeekShown, r.MonthShown = r.Week >= MinShown, r.Month >= MinShown
		if !r.WeekShown {
			r.Week = 0
		}
		if !r.MonthShown {
			r.Month = 0
		}
		in.Rows = append(in.Rows, r)
	}
	if in.Pinned, err = s.store.Pinned(ctx, tenantID); err != nil {
		return Insights{}, err
	}
	if in.Default, err = s.DefaultOrder(ctx, tenantID); err != nil {
		return Insights{}, err
	}
	return in, nil
}

// Pin sets a tenant's default order: positions maps widget keys to their
// place (1 first); every widget must have a distinct place.
func (s *Service) Pin(ctx context.Context, tenantID string, positions map[string]int) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := manager(ctx, tenantID)
	if err != nil {
		return err
	}
	keys := Keys()
	seen := map[int]bool{}
	for _, k := range keys {
		p, ok := positions[k]
		if !ok || p < 1 || p > len(keys) || seen[p] {
			return apperr.InvalidFields("Give every widget a different place, from 1 to "+strconv.Itoa(len(keys))+".",
				map[string]string{"pos_" + k: "Choose a place no other widget has."})
		}
		seen[p] = true
	}
	if len(positions) != len(keys) || !slices.Equal(slices.Sorted(maps.Keys(positions)), slices.Sorted(slices.Values(keys))) {
		return apperr.New(apperr.Invalid, "There is no such widget.")
	}
	slices.SortFunc(keys, func(x, y string) int { return positions[x] - positions[y] })
	defer s.forget(tenantID)
	return s.store.Pin(ctx, tenantID, keys, a.ID, s.clock.Now())
}

// Unpin lets the counts decide a tenant's default order again.
func (s *Service) Unpin(ctx context.Context, tenantID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := manager(ctx, tenantID)
	if err != nil {
		return err
	}
	defer s.forget(tenantID)
	return s.store.Pin(ctx, tenantID, nil, a.ID, s.clock.Now())
}
