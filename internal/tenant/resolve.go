package tenant

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/salvehealth/salve/internal/clock"
)

// Lister lists every tenant; the store implements it.
type Lister interface {
	List(ctx context.Context) ([]*Tenant, error)
}

// Resolver maps a request's Host header to its tenant. It answers from an
// in-memory snapshot, so resolving costs a map lookup, and reloads the snapshot
// in the background when it is older than its TTL (other replicas may have
// changed tenants) or at once after Refresh.
type Resolver struct {
	src        Lister
	clock      clock.Clock
	ttl        time.Duration
	log        *slog.Logger
	snap       atomic.Pointer[snapshot]
	refreshing atomic.Bool
}

type snapshot struct {
	byHost map[string]*Tenant
	byID   map[string]*Tenant
	def    *Tenant
	loaded time.Time
}

// NewResolver loads the tenants once and returns a resolver; a failed first
// load fails start-up.
func NewResolver(ctx context.Context, src Lister, clk clock.Clock, ttl time.Duration, log *slog.Logger) (*Resolver, error) {
	r := &Resolver{src: src, clock: clk, ttl: ttl, log: log}
	if err := r.Refresh(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// Refresh reloads the snapshot now.
func (r *Resolver) Refresh(ctx context.Context) error {
	ts, err := r.src.List(ctx)
	if err != nil {
		return fmt.Errorf("load tenants: %w", err)
	}
	s := &snapshot{byHost: make(map[string]*Tenant), byID: make(map[string]*Tenant), loaded: r.clock.Now()}
	for _, t := range ts {
		s.byID[t.ID] = t
		for _, h := range t.Hostnames {
			s.byHost[h] = t
		}
		if t.IsDefault {
			s.def = t
		}
	}
	r.snap.Store(s)
	return nil
}

// Resolve returns the tenant for a Host header value: the tenant that claims
// the host name, else the default tenant, else false (the caller answers 404).
func (r *Resolver) Resolve(host string) (*Tenant, bool) {
	s := r.current()
	if t, ok := s.byHost[NormalizeHost(host)]; ok {
		return t, true
	}
	return s.def, s.def != nil
}

// ByID returns a tenant by id from the snapshot.
func (r *Resolver) ByID(id string) (*Tenant, bool) {
	t, ok := r.current().byID[id]
	return t, ok
}

// current returns the snapshot, starting a background reload when it is stale.
func (r *Resolver) current() *snapshot {
	s := r.snap.Load()
	if r.clock.Now().Sub(s.loaded) > r.ttl && r.refreshing.CompareAndSwap(false, true) {
		go func() {
			defer r.refreshing.Store(false)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := r.Refresh(ctx); err != nil {
				// Keep serving the last good snapshot; a store hiccup must not
				// take every site down.
				r.log.Warn("tenant reload failed; keeping the previous tenants", "err", err)
			}
		}()
	}
	return s
}

type ctxKey struct{}

// NewContext returns ctx carrying t.
func NewContext(ctx context.Context, t *Tenant) context.Context {
	return context.WithValue(ctx, ctxKey{}, t)
}

// FromContext returns the request's tenant, or nil on routes without one.
func FromContext(ctx context.Context) *Tenant {
	t, _ := ctx.Value(ctxKey{}).(*Tenant)
	return t
}
