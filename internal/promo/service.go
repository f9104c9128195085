package promo

import (
	"context"
	"time"

	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/tenant"
)

// Store keeps promotion codes in the catalog store (internal/store.Promotions).
type Store interface {
	// Create stores a new promotion (paused when Paused); a code taken in the tenant is an Invalid
	// error on the code field.
	Create(ctx context.Context, p *Promotion) error
	// ByCode returns a tenant's promotion by its code as typed (trimmed and
	// upper-cased first), or the error of ErrUnknown.
	ByCode(ctx context.Context, tenantID, code string) (*Promotion, error)
	// List returns a tenant's promotions, newest first, with Given.
	List(ctx context.Context, tenantID string) ([]Promotion, error)
	// Get returns a tenant's promotion by id with Given; another tenant's
	// or an unknown id is NotFound.
	Get(ctx context.Context, tenantID, id string) (*Promotion, error)
	// Update saves a validated promotion's rules (kind, value, currency,
	// minimum quantity, window, usage limit, target); the code, the uses
	// and the pause stay. A limit below the uses made is an Invalid error
	// on usage_limit; an unknown id is NotFound.
	Update(ctx context.Context, p *Promotion) error
	// SetPaused pauses or resumes a promotion; an unknown id is NotFound.
	SetPaused(ctx context.Context, tenantID, id string, paused bool) error
	// End makes a promotion stop working at now (its start too, when it
	// had not started); one that ended already keeps its end. An unknown
	// id is NotFound.
	End(ctx context.Context, tenantID, id string, now time.Time) error
}

// Service is the promotion codes' rules over a Store: the admin pages create
// and list codes through it, and the order service reads the code typed at
// checkout.
type Service struct {
	store Store
	clock clock.Clock
}

// NewService returns the promotion service.
func NewService(s Store, c clock.Clock) *Service {
	if c == nil {
		c = clock.System{}
	}
	return &Service{store: s, clock: c}
}

// Create validates and stores a new promotion; an empty id and creation time
// are filled in.
func (s *Service) Create(ctx context.Context, p *Promotion) error {
	if err := p.Validate(); err != nil {
		return err
	}
	now := s.clock.Now()
	if p.ID == "" {
		p.ID = id.NewAt(now)
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now
	}
	return s.store.Create(ctx, p)
}

// ByCode returns a tenant's promotion by the code a buyer typed, or the error
// of ErrUnknown (an Invalid error on the code field).
func (s *Service) ByCode(ctx context.Context, tenantID, code string) (*Promotion, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.store.ByCode(ctx, tenantID, code)
}

// List returns a tenant's promotions, newest first.
func (s *Service) List(ctx context.Context, tenantID string) ([]Promotion, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.store.List(ctx, tenantID)
}

// Now is the service's time, by which the pages say whether a code is
// active, scheduled or ended.
func (s *Service) Now() time.Time { return s.clock.Now() }

// Get returns a tenant's promotion with the discount its uses gave;
// another tenant's and an unknown id are NotFound.
func (s *Service) Get(ctx context.Context, tenantID, id string) (*Promotion, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.store.Get(ctx, tenantID, id)
}

// Update validates and saves a promotion's rules. The code does not change:
// it is what buyers were given; a new code is a duplicate.
func (s *Service) Update(ctx context.Context, p *Promotion) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return s.store.Update(ctx, p)
}

// Pause makes a code refuse buyers until it is resumed.
func (s *Service) Pause(ctx context.Context, tenantID, id string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.store.SetPaused(ctx, tenantID, id, true)
}

// Resume lets a paused code work again within its window and limit.
func (s *Service) Resume(ctx context.Context, tenantID, id string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.store.SetPaused(ctx, tenantID, id, false)
}

// End stops a code now, for good unless a manager sets a later end date.
func (s *Service) End(ctx context.Context, tenantID, id string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.store.End(ctx, tenantID, id, s.clock.Now())
}

// Duplicate stores a copy of a promotion under a new code, with no uses,
// and returns it. The copy starts paused. Why: a manager duplicates to make
// a variant of an offer, and it should not reach buyers before it has been
// looked at and resumed.
func (s *Service) Duplicate(ctx context.Context, tenantID, promotionID, code string) (*Promotion, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	p, err := s.store.Get(ctx, tenantID, promotionID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	c := *p
	c.ID, c.Code, c.Used, c.Given, c.Paused, c.CreatedAt = id.NewAt(now), code, 0, nil, true, now
	if !c.EndsAt.IsZero() && !c.EndsAt.After(now) {
		// A copy of an ended offer is made to run it again: its end is
		// cleared (the copy is paused, so it reaches no one until the
		// manager has set its dates and resumed it).
		c.EndsAt = time.Time{}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := s.store.Create(ctx, &c); err != nil {
		return nil, err
	}
	return &c, nil
}
