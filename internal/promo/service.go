package promo

import (
	"context"

	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
)

// Store keeps promotion codes in the catalog store (internal/store.Promotions).
type Store interface {
	// Create stores a new promotion; a code taken in the tenant is an Invalid
	// error on the code field.
	Create(ctx context.Context, p *Promotion) error
	// ByCode returns a tenant's promotion by its code as typed (trimmed and
	// upper-cased first), or the error of ErrUnknown.
	ByCode(ctx context.Context, tenantID, code string) (*Promotion, error)
	// List returns a tenant's promotions, newest first.
	List(ctx context.Context, tenantID string) ([]Promotion, error)
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
	return s.store.ByCode(ctx, tenantID, code)
}

// List returns a tenant's promotions, newest first.
func (s *Service) List(ctx context.Context, tenantID string) ([]Promotion, error) {
	return s.store.List(ctx, tenantID)
}
