package appointments

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/salvehealth/salve/internal/tenant"
)

// settingsTTL is how long a process keeps a tenant's locations and
// cancellation window for the patient's lists. A change made in this process
// clears its own copy at once; other replicas see it within this time.
const settingsTTL = time.Minute

// tenantSettings keeps each tenant's locations and cancellation window for
// the patient's appointment list and the dashboard's widget, which read them
// on every view. Why a cache is allowed here: both are the tenant's business
// settings (a clinic's name, address and time zone; a number of hours),
// the same for every patient and nobody's health information. Why only for
// showing: a move or a cancellation still reads the window afresh before it
// decides (Move, Cancel), so a stale copy can only change whether a button
// is shown, never what is allowed.
type tenantSettings struct {
	mu sync.Mutex
	m  map[string]settingsEntry
}

type settingsEntry struct {
	locs    []Location
	window  time.Duration
	expires time.Time
}

func newTenantSettings() *tenantSettings {
	return &tenantSettings{m: map[string]settingsEntry{}}
}

// displaySettings returns the tenant's locations (a copy: callers may not change the
// kept one) and window, reading them when not kept or expired.
func (s *Service) displaySettings(ctx context.Context, tenantID string) ([]Location, time.Duration, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	c := s.settings
	now := time.Now()
	c.mu.Lock()
	e, ok := c.m[tenantID]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return slices.Clone(e.locs), e.window, nil
	}
	locs, err := s.store.Locations(ctx, tenantID)
	if err != nil {
		return nil, 0, err
	}
	win, err := s.window(ctx, tenantID)
	if err != nil {
		return nil, 0, err
	}
	c.mu.Lock()
	c.m[tenantID] = settingsEntry{locs: slices.Clone(locs), window: win, expires: now.Add(settingsTTL)}
	c.mu.Unlock()
	return locs, win, nil
}

// forget drops a tenant's kept settings after this process changed them.
func (c *tenantSettings) forget(tenantID string) {
	c.mu.Lock()
	delete(c.m, tenantID)
	c.mu.Unlock()
}
