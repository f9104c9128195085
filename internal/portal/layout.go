package portal

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/tenant"
)

// Layout is a person's own arrangement of their dashboard: the widget keys
// in their order, and the hidden ones. It names no record, only widgets.
type Layout struct {
	Widgets []string
	Hidden  []string
}

// Open is a count of opens of a widget or a page by a tenant's patients on
// one day (UTC, "2006-01-02"): no person in it.
type Open struct {
	TenantID, Day, Key string
	Opens              int64
}

// Store keeps layouts, pinned defaults and open counts in the PHI store
// (internal/store.Dashboards).
type Store interface {
	// Layout returns a person's layout; ok is false when they never
	// arranged their dashboard.
	Layout(ctx context.Context, tenantID, userID string) (l Layout, ok bool, err error)
	// SaveLayout stores a person's layout, replacing any.
	SaveLayout(ctx context.Context, tenantID, userID string, l Layout, now time.Time) error
	// Pinned returns a tenant's pinned default order; nil when none.
	Pinned(ctx context.Context, tenantID string) ([]string, error)
	// Pin stores a tenant's pinned default order; nil keys remove it.
	Pin(ctx context.Context, tenantID string, keys []string, by string, now time.Time) error
	// AddOpens adds counts to the stored ones (one upsert per row, in one
	// transaction).
	AddOpens(ctx context.Context, opens []Open) error
	// Opens sums a tenant's counts per key over the days from since
	// ("2006-01-02") on.
	Opens(ctx context.Context, tenantID, since string) (map[string]int64, error)
}

// MinShown is the smallest count the insights show and the default order
// uses: a smaller one could single out the habits of one or two patients.
const MinShown = 10

// Period is how far back the counts that order a tenant's default go.
const Period = 30 * 24 * time.Hour

// Deps are what the service is built on; server wires them.
type Deps struct {
	Store Store
	Clock clock.Clock
	Log   *slog.Logger
}

// Service keeps dashboard arrangements and the PHI-free open counts.
type Service struct {
	store Store
	clock clock.Clock
	log   *slog.Logger

	// mu guards pending: the opens counted since the last flush. Why in
	// memory: counting must never add a write to a page view that could
	// slow or fail it; a flush (Flush, every minute and at shutdown) adds
	// them with one upsert per key. Every process keeps and flushes its
	// own, so replicas' counts add up; a crash loses at most a minute of
	// counts, which only order a default.
	mu      sync.Mutex
	pending map[Open]int64
	// defaults caches each tenant's default order for DefaultTTL (guarded
	// by mu): it changes with a day's counts or a pin, and a person who
	// never arranged their dashboard should not cost two more statements
	// per view for it. A pin clears this process's copy; other replicas
	// follow within DefaultTTL.
	defaults map[string]cachedOrder
}

// DefaultTTL is how long a process keeps a tenant's default order.
const DefaultTTL = time.Minute

type cachedOrder struct {
	keys []string
	at   time.Time
}

// New returns the service.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: d.Store, clock: d.Clock, log: d.Log, pending: map[Open]int64{}, defaults: map[string]cachedOrder{}}
}

// self returns the signed-in patient: only a patient arranges a dashboard,
// and only their own.
func self(ctx context.Context) (access.Actor, error) {
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RolePatient {
		return a, apperr.DeniedError(errors.New("only a patient arranges a dashboard"))
	}
	return a, nil
}

// Arrangement is a dashboard's order: every widget key, the visible ones in
// order and the hidden ones apart.
type Arrangement struct {
	Visible, Hidden []string
	// Own is true when the person arranged it themselves.
	Own bool
}

// Arrangement returns the order of the signed-in person's dashboard: their
// own layout, or else the tenant's pinned default, or else the order of
// what the tenant's patients open most.
func (s *Service) Arrangement(ctx context.Context, tenantID, userID string) (Arrangement, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	l, ok, read := layoutRead(ctx, tenantID, userID)
	if !read {
		var err error
		if l, ok, err = s.store.Layout(ctx, tenantID, userID); err != nil {
			return Arrangement{}, err
		}
	}
	if ok {
		return arrange(l.Widgets, l.Hidden, true), nil
	}
	order, err := s.cachedDefault(ctx, tenantID)
	if err != nil {
		return Arrangement{}, err
	}
	return arrange(order, nil, false), nil
}

// cachedDefault is DefaultOrder, kept for DefaultTTL.
func (s *Service) cachedDefault(ctx context.Context, tenantID string) ([]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	now := s.clock.Now()
	s.mu.Lock()
	c, ok := s.defaults[tenantID]
	s.mu.Unlock()
	if ok && now.Sub(c.at) < DefaultTTL && !now.Before(c.at) {
		return c.keys, nil
	}
	keys, err := s.DefaultOrder(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.defaults[tenantID] = cachedOrder{keys: keys, at: now}
	s.mu.Unlock()
	return keys, nil
}

// forget drops a tenant's cached default order (after a pin).
func (s *Service) forget(tenantID string) {
	s.mu.Lock()
	delete(s.defaults, tenantID)
	s.mu.Unlock()
}

// arrange completes an order: unknown keys are dropped, keys it lacks (a
// widget added since) follow in the built-in order.
func arrange(order, hidden []string, own bool) Arrangement {
	var a Arrangement
	a.Own = own
	seen := map[string]bool{}
	for _, k := range append(slices.Clone(order), Keys()...) {
		if !Known(k) || seen[k] {
			continue
		}
		seen[k] = true
		if slices.Contains(hidden, k) {
			a.Hidden = append(a.Hidden, k)
		} else {
			a.Visible = append(a.Visible, k)
		}
	}
	return a
}

// DefaultOrder is the order of a tenant's dashboards for those who never
// arranged theirs: the store manager's pinned order, or else the widgets by
// how often the tenant's patients opened them in the last Period (counts
// below MinShown count as none), ties in the built-in order.
func (s *Service) DefaultOrder(ctx context.Context, tenantID string) ([]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	pinned, err := s.store.Pinned(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if len(pinned) > 0 {
		return arrange(pinned, nil, false).Visible, nil
	}
	counts, err := s.store.Opens(ctx, tenantID, s.since())
	if err != nil {
		return nil, err
	}
	keys := Keys()
	rank := func(k string) int64 {
		if n := counts[k]; n >= MinShown {
			return n
		}
		return 0
	}
	slices.SortStableFunc(keys, func(a, b string) int { return cmp.Compare(rank(b), rank(a)) })
	return keys, nil
}

func (s *Service) since() string { return s.clock.Now().UTC().Add(-Period).Format(time.DateOnly) }

// save stores the signed-in patient's arrangement.
func (s *Service) save(ctx context.Context, a access.Actor, arr Arrangement) error {
	return s.store.SaveLayout(ctx, a.TenantID, a.ID, Layout{Widgets: append(slices.Clone(arr.Visible), arr.Hidden...), Hidden: arr.Hidden},
		s.clock.Now())
}

// change loads the signed-in patient's arrangement, lets edit change it and
// stores it.
func (s *Service) change(ctx context.Context, key string, edit func(a *Arrangement)) error {
	a, err := self(ctx)
	if err != nil {
		return err
	}
	if !Known(key) {
		return apperr.New(apperr.Invalid, "There is no such widget.")
	}
	arr, err := s.Arrangement(ctx, a.TenantID, a.ID)
	if err != nil {
		return err
	}
	edit(&arr)
	return s.save(ctx, a, arr)
}

// Move moves a visible widget of the signed-in patient's dashboard one
// place up (by -1) or down (by +1); at the edge it stays.
func (s *Service) Move(ctx context.Context, key string, by int) error {
	if by != -1 && by != 1 {
		return apperr.New(apperr.Invalid, "A widget moves one place up or down.")
	}
	return s.change(ctx, key, func(a *Arrangement) {
		i := slices.Index(a.Visible, key)
		if j := i + by; i >= 0 && j >= 0 && j < len(a.Visible) {
			a.Visible[i], a.Visible[j] = a.Visible[j], a.Visible[i]
		}
	})
}

// Hide hides a widget of the signed-in patient's dashboard.
func (s *Service) Hide(ctx context.Context, key string) error {
	return s.change(ctx, key, func(a *Arrangement) {
		if i := slices.Index(a.Visible, key); i >= 0 {
			a.Visible = slices.Delete(a.Visible, i, i+1)
			a.Hidden = append(a.Hidden, key)
		}
	})
}

// Restore shows a hidden widget again, at the end of the dashboard.
func (s *Service) Restore(ctx context.Context, key string) error {
	return s.change(ctx, key, func(a *Arrangement) {
		if i := slices.Index(a.Hidden, key); i >= 0 {
			a.Hidden = slices.Delete(a.Hidden, i, i+1)
			a.Visible = append(a.Visible, key)
		}
	})
}

// Reorder sets the order of the signed-in patient's visible widgets (drag
// and drop): keys must be exactly the visible ones, each once; anything
// else changes nothing.
func (s *Service) Reorder(ctx context.Context, keys []string) error {
	a, err := self(ctx)
	if err != nil {
		return err
	}
	arr, err := s.Arrangement(ctx, a.TenantID, a.ID)
	if err != nil {
		return err
	}
	got, want := slices.Clone(keys), slices.Clone(arr.Visible)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		return apperr.New(apperr.Invalid, "The new order must list each widget on the dashboard once. Reload the page and try again.")
	}
	arr.Visible = slices.Clone(keys)
	return s.save(ctx, a, arr)
}

// layoutKey is the context key of a layout this request read already.
type layoutKey struct{}

// readLayout is a person's layout as read earlier in the request.
type readLayout struct {
	tenantID, userID string
	l                Layout
	ok               bool
}

// WithLayout returns ctx carrying a person's layout (ok false: they have
// none) as this request read it already, with the session (signin.Extras):
// Arrangement then reads no row of its own, a statement fewer on every
// dashboard view. Why safe: it is one request's read, dropped with the
// request; a layout saved later in the same request is not in it, so only a
// request that saves none may carry it (the dashboard's GET; the ones that
// save redirect).
func WithLayout(ctx context.Context, tenantID, userID string, l Layout, ok bool) context.Context {
	return context.WithValue(ctx, layoutKey{}, &readLayout{tenantID: tenantID, userID: userID, l: l, ok: ok})
}

// layoutRead returns the layout WithLayout put in ctx for this tenant and
// person; read is false when there is none for them.
func layoutRead(ctx context.Context, tenantID, userID string) (l Layout, ok, read bool) {
	r, _ := ctx.Value(layoutKey{}).(*readLayout)
	if r == nil || r.tenantID != tenantID || r.userID != userID {
		return Layout{}, false, false
	}
	return r.l, r.ok, true
}
