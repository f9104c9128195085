package orders

import (
	"context"

	"github.com/salvehealth/salve/internal/tenant"
)

// CheckIntake refuses an order whose products need an intake questionnaire
// the patient has not completed (issue 18: Deps.Intake, a Conflict naming
// the form); nil without Deps.Intake. Place calls it before any stock is
// held or money moves; checkout's review calls it to tell the patient early.
func (s *Service) CheckIntake(ctx context.Context, tenantID, userID string, q *Quote) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.intake == nil || q == nil {
		return nil
	}
	ids := make([]string, 0, len(q.Items))
	for _, it := range q.Items {
		ids = append(ids, it.ProductID)
	}
	return s.intake(ctx, tenantID, userID, ids)
}
