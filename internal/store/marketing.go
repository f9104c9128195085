package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/marketing"
	"github.com/salvehealth/salve/internal/tenant"
)

// MarketingAuthorizations keeps patients' marketing authorizations in the
// PHI store. It implements marketing.Store: the signature arrives sealed.
type MarketingAuthorizations struct{ db *DB }

// NewMarketingAuthorizations returns the authorization storage of a PHI
// store.
func NewMarketingAuthorizations(db *DB) *MarketingAuthorizations {
	return &MarketingAuthorizations{db: db}
}

var _ marketing.Store = (*MarketingAuthorizations)(nil)

// Insert stores a new authorization.
func (s *MarketingAuthorizations) Insert(ctx context.Context, r marketing.Record) error {
	ctx = tenant.WithScope(ctx, r.TenantID)
	if _, err := s.db.w.ExecContext(ctx, `INSERT INTO marketing_authorizations (id, tenant_id, patient_id, purpose, signed_at, expires_at, revoked_at, signature_ct)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, r.ID, r.TenantID, r.PatientID, r.Purpose, r.SignedAt.UTC(), nullTime(r.ExpiresAt),
		nullTime(r.RevokedAt), r.SignatureCT); err != nil {
		return fmt.Errorf("insert marketing authorization: %w", err)
	}
	return nil
}

// ByPatient returns a patient's authorizations, newest first.
func (s *MarketingAuthorizations) ByPatient(ctx context.Context, tenantID, patientID string) ([]marketing.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT id, tenant_id, patient_id, purpose, signed_at, expires_at, revoked_at, signature_ct
		FROM marketing_authorizations WHERE tenant_id = $1 AND patient_id = $2 ORDER BY signed_at DESC, id DESC`, tenantID, patientID)
	if err != nil {
		return nil, fmt.Errorf("marketing authorizations: %w", err)
	}
	defer rows.Close()
	var out []marketing.Record
	for rows.Next() {
		var r marketing.Record
		var exp, rev sql.NullTime
		if err := rows.Scan(&r.ID, &r.TenantID, &r.PatientID, &r.Purpose, &r.SignedAt, &exp, &rev, &r.SignatureCT); err != nil {
			return nil, fmt.Errorf("marketing authorizations: %w", err)
		}
		r.SignedAt, r.ExpiresAt, r.RevokedAt = r.SignedAt.UTC(), timeOf(exp), timeOf(rev)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Current returns whether the patient has a current authorization for the
// purpose at now.
func (s *MarketingAuthorizations) Current(ctx context.Context, tenantID, patientID, purpose string, now time.Time) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var n int
	if err := s.db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM marketing_authorizations WHERE tenant_id = $1 AND patient_id = $2
		AND purpose = $3 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $4)`, tenantID, patientID, purpose, now.UTC()).Scan(&n); err != nil {
		return false, fmt.Errorf("marketing authorization: %w", err)
	}
	return n > 0, nil
}

// Revoke marks one of the patient's authorizations revoked; NotFound when
// it is not theirs or is revoked already.
func (s *MarketingAuthorizations) Revoke(ctx context.Context, tenantID, patientID, authID string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	res, err := s.db.w.ExecContext(ctx, `UPDATE marketing_authorizations SET revoked_at = $1
		WHERE id = $2 AND tenant_id = $3 AND patient_id = $4 AND revoked_at IS NULL`, now.UTC(), authID, tenantID, patientID)
	if err != nil {
		return fmt.Errorf("revoke marketing authorization: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return apperr.NotFoundError()
	}
	return nil
}

// Authorized returns the patients with a current authorization for the
// purpose at now, at most limit.
func (s *MarketingAuthorizations) Authorized(ctx context.Context, tenantID, purpose string, now time.Time, limit int) ([]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT DISTINCT patient_id FROM marketing_authorizations WHERE tenant_id = $1 AND purpose = $2
		AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $3) ORDER BY patient_id LIMIT $4`, tenantID, purpose, now.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("marketing authorizations: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("marketing authorizations: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
