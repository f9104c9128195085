package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/tenant"
)

// SessionLimits holds tenants' own (stricter) session limits in the PHI
// store. It implements signin.TenantLimits.
type SessionLimits struct{ db *DB }

// NewSessionLimits returns the session-limit queries of a PHI store.
func NewSessionLimits(db *DB) *SessionLimits { return &SessionLimits{db: db} }

var _ signin.TenantLimits = (*SessionLimits)(nil)

// Limits returns a tenant's limits; ok is false when it has none of its own.
func (q *SessionLimits) Limits(ctx context.Context, tenantID string) (signin.Limits, bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var staff, patient, abs int64
	err := q.db.r.QueryRowContext(ctx, `SELECT staff_idle_secs, patient_idle_secs, absolute_secs FROM tenant_session_limits
		WHERE tenant_id = $1`, tenantID).Scan(&staff, &patient, &abs)
	if errors.Is(err, sql.ErrNoRows) {
		return signin.Limits{}, false, nil
	}
	if err != nil {
		return signin.Limits{}, false, fmt.Errorf("session limits: %w", err)
	}
	return signin.Limits{StaffIdle: time.Duration(staff) * time.Second, PatientIdle: time.Duration(patient) * time.Second,
		Absolute: time.Duration(abs) * time.Second}, true, nil
}

// SetLimits saves a tenant's limits.
func (q *SessionLimits) SetLimits(ctx context.Context, tenantID string, l signin.Limits, at time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO tenant_session_limits (tenant_id, staff_idle_secs, patient_idle_secs, absolute_secs, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id) DO UPDATE SET staff_idle_secs = excluded.staff_idle_secs,
		patient_idle_secs = excluded.patient_idle_secs, absolute_secs = excluded.absolute_secs, updated_at = excluded.updated_at`,
		tenantID, int64(l.StaffIdle/time.Second), int64(l.PatientIdle/time.Second), int64(l.Absolute/time.Second), at.UTC())
	if err != nil {
		return fmt.Errorf("set session limits: %w", err)
	}
	return nil
}

// Clear removes a tenant's limits from this table (they now live in the
// brand's settings: server.AdoptLegacyPolicies).
func (q *SessionLimits) Clear(ctx context.Context, tenantID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := q.db.w.ExecContext(ctx, `DELETE FROM tenant_session_limits WHERE tenant_id = $1`, tenantID); err != nil {
		return fmt.Errorf("clear session limits: %w", err)
	}
	return nil
}
