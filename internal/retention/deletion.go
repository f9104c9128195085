package retention

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/tenant"
)

// LegalHold is how long the law keeps a record type after a patient asks
// for their data to be deleted: HIPAA documentation (prescriptions, lab
// results, appointments: 45 CFR 164.316(b)(2), and state medical-record
// laws) six years, and orders, which are the business's sales and tax
// records, the one-year minimum of Orders. Profile and messages have no
// hold: a deletion request needs nothing of them kept. Why not the
// tenant's own periods: a patient's request to delete overrides what the
// business would like to keep, not what the law says it must.
func LegalHold(recordType string) time.Duration {
	switch recordType {
	case Documentation:
		return LegalMinimum(Documentation)
	case Orders:
		return LegalMinimum(Orders)
	}
	return 0
}

// RequestDeletion records the verified request of subject to have their
// data deleted, verified now, with its DeletionPlan. The account itself is
// closed by accounts (accounts.Service.CloseForDeletion); the disposal job
// then disposes of it when the plan says.
func (s *Service) RequestDeletion(ctx context.Context, tenantID, subject string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	now := s.clock.Now()
	due, rule, err := s.DeletionPlan(ctx, tenantID, subject, now)
	if err != nil {
		return err
	}
	return s.store.AddDeletionRequest(ctx, tenantID, subject, now, due, rule)
}

// DeletionPlan says when the data of subject, who asked for it to be
// deleted at verifiedAt, is destroyed: at verifiedAt plus the longest legal
// hold of the record types they have (at once when they have none of them),
// and the rule that says so, as the certificate words it. The patient sees
// it before confirming.
func (s *Service) DeletionPlan(ctx context.Context, tenantID, subject string, verifiedAt time.Time) (time.Time, string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	types, err := s.store.HeldTypes(ctx, tenantID, subject)
	if err != nil {
		return time.Time{}, "", err
	}
	var hold time.Duration
	var kept []string
	for _, t := range types {
		if h := LegalHold(t); h > 0 {
			hold = max(hold, h)
			kept = append(kept, fmt.Sprintf("%s %d days", t, int(h/day)))
		}
	}
	rule := "deletion request of the patient, verified " + verifiedAt.UTC().Format("2006-01-02") + ": "
	if len(kept) == 0 {
		rule += "no record the law requires to keep"
	} else {
		rule += "kept only what the law requires (" + strings.Join(kept, ", ") + ")"
	}
	return verifiedAt.Add(hold), rule, nil
}

// DeletionDate is the DeletionPlan of a request verified now: when the data
// of subject would be destroyed, and whether that is at once (they have no
// record the law keeps). The page that offers the request shows it.
func (s *Service) DeletionDate(ctx context.Context, tenantID, subject string) (time.Time, bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	now := s.clock.Now()
	until, _, err := s.DeletionPlan(ctx, tenantID, subject, now)
	return until, !until.After(now), err
}
