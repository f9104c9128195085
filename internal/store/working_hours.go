package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/tenant"
)

// WorkingHours holds tenants' working hours (the activity review's
// off-hours rule) in the PHI store.
type WorkingHours struct{ db *DB }

// NewWorkingHours returns the working-hours queries of a PHI store.
func NewWorkingHours(db *DB) *WorkingHours { return &WorkingHours{db: db} }

// Hours returns a tenant's time zone and hours; ok is false when it has
// none of its own.
func (q *WorkingHours) Hours(ctx context.Context, tenantID string) (zone string, start, end int, ok bool, err error) {
	ctx = tenant.WithScope(ctx, tenantID)
	err = q.db.r.QueryRowContext(ctx, `SELECT zone, start_hour, end_hour FROM tenant_working_hours WHERE tenant_id = $1`, tenantID).
		Scan(&zone, &start, &end)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, 0, false, nil
	}
	if err != nil {
		return "", 0, 0, false, fmt.Errorf("working hours: %w", err)
	}
	return zone, start, end, true, nil
}

// SetHours saves a tenant's time zone and hours.
func (q *WorkingHours) SetHours(ctx context.Context, tenantID, zone string, start, end int, at time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO tenant_working_hours (tenant_id, zone, start_hour, end_hour, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id) DO UPDATE SET zone = excluded.zone, start_hour = excluded.start_hour,
		end_hour = excluded.end_hour, updated_at = excluded.updated_at`, tenantID, zone, start, end, at.UTC())
	if err != nil {
		return fmt.Errorf("set working hours: %w", err)
	}
	return nil
}
