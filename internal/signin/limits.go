package signin

import (
	"context"
	"sync"
	"time"

	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/tenant"
)

// Limits are a tenant's own session limits (issue 19: changed only through
// a request a second person approves, internal/changes).
type Limits struct {
	StaffIdle, PatientIdle, Absolute time.Duration
}

// TenantLimits keeps tenants' own limits (internal/store.SessionLimits).
type TenantLimits interface {
	// Limits returns a tenant's limits; ok is false when it has none.
	Limits(ctx context.Context, tenantID string) (l Limits, ok bool, err error)
}

// limitsTTL is how long a tenant's limits are cached in a process. Why a
// cache: Lookup runs on every request, and an idle replica must cost the
// database almost nothing; an approved change takes effect everywhere
// within this time, the tenant resolver's reload interval (so a change at
// an organisation reaches its brands' sessions as soon as their pages).
const limitsTTL = 15 * time.Second

// limitsCache holds tenants' limits for limitsTTL.
type limitsCache struct {
	mu sync.Mutex
	m  map[string]cachedLimits
}

type cachedLimits struct {
	l     Limits
	ok    bool
	until time.Time
}

// Policy is the server's session policy (the ceiling a tenant may only
// shorten).
func (s *Service) Policy() auth.SessionPolicy { return s.policy }

// PolicyFor is the session policy in force for a tenant: the server's,
// each limit shortened to the tenant's own where that is shorter. Why only
// ever shorter: the server's limits are the ceiling the operator set at
// deploy time. A failure to read the tenant's limits keeps the server's
// (the request still has the deploy-time limits) and is logged.
func (s *Service) PolicyFor(ctx context.Context, tenantID string) auth.SessionPolicy {
	ctx = tenant.WithScope(ctx, tenantID)
	p := s.policy
	if s.limits == nil {
		return p
	}
	now := s.clock.Now()
	s.limitsCache.mu.Lock()
	c, hit := s.limitsCache.m[tenantID]
	s.limitsCache.mu.Unlock()
	if !hit || !now.Before(c.until) {
		l, ok, err := s.limits.Limits(ctx, tenantID)
		if err != nil {
			s.log.ErrorContext(ctx, "tenant session limits unreadable; the server's apply", "tenant", tenantID, "err", err)
			return p
		}
		c = cachedLimits{l: l, ok: ok, until: now.Add(limitsTTL)}
		s.limitsCache.mu.Lock()
		if s.limitsCache.m == nil {
			s.limitsCache.m = map[string]cachedLimits{}
		}
		s.limitsCache.m[tenantID] = c
		s.limitsCache.mu.Unlock()
	}
	if !c.ok {
		return p
	}
	p.StaffIdle = shorter(p.StaffIdle, c.l.StaffIdle)
	p.PatientIdle = shorter(p.PatientIdle, c.l.PatientIdle)
	p.Absolute = shorter(p.Absolute, c.l.Absolute)
	return p
}

// ForgetLimits drops a tenant's cached limits in this process (after an
// approved change, so it applies here at once).
func (s *Service) ForgetLimits(tenantID string) {
	s.limitsCache.mu.Lock()
	delete(s.limitsCache.m, tenantID)
	s.limitsCache.mu.Unlock()
}

func shorter(server, tenant time.Duration) time.Duration {
	if tenant > 0 && tenant < server {
		return tenant
	}
	return server
}
