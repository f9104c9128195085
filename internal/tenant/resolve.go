package tenant

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
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
	// unknown serialises the reloads an unknown host starts (see Resolve).
	unknown sync.Mutex
}

// UnknownHostReload is the least time between two reloads started by hosts
// that no tenant claims: a tenant created while Salve runs answers its first
// request, and a stream of made-up Host headers costs at most one query to
// the store per interval, however many arrive.
const UnknownHostReload = time.Second

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
// A host that no tenant in the snapshot claims may belong to a tenant created
// since (salve tenant create while Salve runs): the snapshot is reloaded
// first, at most once per UnknownHostReload whatever the hosts asked for.
func (r *Resolver) Resolve(host string) (*Tenant, bool) {
	h := NormalizeHost(host)
	s := r.current()
	if t, ok := s.byHost[h]; ok {
		return t, true
	}
	s = r.reloadForUnknown(s)
	if t, ok := s.byHost[h]; ok {
		return t, true
	}
	return s.def, s.def != nil
}

// Claims reports whether a tenant claims the host name itself (not as the
// default tenant's fallback). A host the snapshot lacks reloads it first, at
// most once per UnknownHostReload, so a brand created while Salve runs gets
// its certificate on its first visit.
func (r *Resolver) Claims(host string) bool {
	h := NormalizeHost(host)
	s := r.current()
	if _, ok := s.byHost[h]; ok {
		return true
	}
	_, ok := r.reloadForUnknown(s).byHost[h]
	return ok
}

// reloadForUnknown reloads the snapshot for a host it lacks, unless it was
// loaded within UnknownHostReload; it returns the snapshot to answer from.
// Requests that arrive during a reload wait for it and answer from it,
// rather than each starting their own. A failed reload keeps the snapshot.
func (r *Resolver) reloadForUnknown(s *snapshot) *snapshot {
	if r.clock.Now().Sub(s.loaded) < UnknownHostReload {
		return s
	}
	r.unknown.Lock()
	defer r.unknown.Unlock()
	if cur := r.snap.Load(); r.clock.Now().Sub(cur.loaded) < UnknownHostReload {
		return cur // reloaded while this request waited
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.Refresh(ctx); err != nil {
		r.log.Warn("tenant reload for an unknown host failed; keeping the previous tenants", "err", err)
		// Why mark it loaded anyway: a store that fails must not be asked
		// again by every request with an unknown host.
		cur := *r.snap.Load()
		cur.loaded = r.clock.Now()
		r.snap.Store(&cur)
	}
	return r.snap.Load()
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

// NewContext returns ctx carrying t, scoped to t (WithScope): the PHI
// store's statements of a request see only the tenant it acts in, the
// acting brand of the brand switcher included.
func NewContext(ctx context.Context, t *Tenant) context.Context {
	if t != nil {
		ctx = WithScope(ctx, t.ID)
	}
	return context.WithValue(ctx, ctxKey{}, t)
}

// FromContext returns the request's tenant, or nil on routes without one.
func FromContext(ctx context.Context) *Tenant {
	t, _ := ctx.Value(ctxKey{}).(*Tenant)
	return t
}

// Brands returns the brands of an organisation from the snapshot, by name;
// none for "".
func (r *Resolver) Brands(orgID string) []*Tenant {
	if orgID == "" {
		return nil
	}
	var out []*Tenant
	for _, t := range r.current().byID {
		if t.OrgID == orgID {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].ID < out[j].ID
	})
	return out
}
