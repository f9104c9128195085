package rx

import (
	"context"
	"errors"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Cover uses one fill of a verified, unexpired prescription with a fill
// left for each prescription line of an order (productIDs: one per line),
// all or nothing, and reports whether the order is covered. Each line needs
// its own prescription for its product. Two orders racing for the last fill
// of a prescription: one is covered, the other is not (false, no error) and
// waits. Covering an order that used its fills before reports true and uses
// no more. The actor in ctx must be allowed to write the patient's
// prescriptions (the patient at checkout, a pharmacist, a job).
func (s *Service) Cover(ctx context.Context, tenantID, userID, orderID string, productIDs []string) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if len(productIDs) == 0 {
		return true, nil
	}
	d, err := s.d.Auth.Authorize(ctx, tenantID, userID, access.DataRx, access.Write)
	if err != nil {
		return false, apperr.NotFoundError()
	}
	rows, err := s.d.Store.ByOwner(ctx, tenantID, userID, 200)
	if err != nil {
		return false, err
	}
	now := s.d.Clock.Now()
	var usable []Record
	for _, r := range rows {
		if r.Status == Verified && r.FillsLeft > 0 && (r.ExpiresAt.IsZero() || now.Before(r.ExpiresAt)) {
			usable = append(usable, r)
		}
	}
	if len(usable) == 0 {
		// The store's Fill says whether the order was covered before.
		return s.fill(ctx, tenantID, orderID, nil, now)
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{userID}, Action: access.Write,
		Purpose: d.Purpose, Resource: "prescription", ResourceID: orderID, AuditAction: "rx.fill"})
	if err != nil {
		return false, err
	}
	opened := make([]*Prescription, 0, len(usable))
	for _, r := range usable {
		p, err := open(h, r)
		if err != nil {
			return false, err
		}
		opened = append(opened, p)
	}
	taken := map[string]bool{}
	var ids []string
	for _, pid := range productIDs {
		found := ""
		for _, p := range opened {
			if !taken[p.ID] && p.ProductID == pid {
				found = p.ID
				break
			}
		}
		if found == "" {
			return s.fill(ctx, tenantID, orderID, nil, now)
		}
		taken[found] = true
		ids = append(ids, found)
	}
	return s.fill(ctx, tenantID, orderID, ids, now)
}

// fill asks the store to use the fills; with none it only reports whether
// the order was covered before.
func (s *Service) fill(ctx context.Context, tenantID, orderID string, ids []string, now time.Time) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	err := s.d.Store.Fill(ctx, tenantID, orderID, ids, now)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, apperr.ErrStale):
		return false, nil
	}
	return false, err
}
