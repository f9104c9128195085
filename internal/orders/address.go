package orders

import (
	"context"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// LastAddress returns the shipping address of a person's most recent order,
// to fill in the checkout form; false when they have none. Reading it opens
// that order, audited like any view of it.
func (s *Service) LastAddress(ctx context.Context, tenantID, userID string) (Address, bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	d, err := s.decide(ctx, tenantID, userID, access.Read)
	if err != nil {
		return Address{}, false, err
	}
	rows, err := s.orders.ByOwner(ctx, tenantID, userID, 1)
	if err != nil || len(rows) == 0 {
		return Address{}, false, err
	}
	h, err := s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{userID}, Action: access.Read,
		Purpose: d.Purpose, Resource: "order", ResourceID: rows[0].ID, AuditAction: "order.read"})
	if err != nil {
		return Address{}, false, err
	}
	o, err := open(h, rows[0])
	if err != nil {
		return Address{}, false, err
	}
	return o.Address, true, nil
}
