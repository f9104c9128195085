package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/retention"
	"github.com/salvehealth/salve/internal/tenant"
)

// Retention holds the retention rules and disposal certificates of the PHI
// store. It implements retention.Store.
type Retention struct{ db *DB }

// NewRetention returns the retention queries of a PHI store.
func NewRetention(db *DB) *Retention { return &Retention{db: db} }

var _ retention.Store = (*Retention)(nil)

// Rules returns a tenant's rules.
func (q *Retention) Rules(ctx context.Context, tenantID string) ([]retention.Rule, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := q.db.r.QueryContext(ctx, `SELECT record_type, keep_days, updated_at FROM retention_rules WHERE tenant_id = $1 ORDER BY record_type`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("retention rules: %w", err)
	}
	defer rows.Close()
	var out []retention.Rule
	for rows.Next() {
		r := retention.Rule{TenantID: tenantID}
		var days int
		if err := rows.Scan(&r.RecordType, &days, &r.UpdatedAt); err != nil {
			return nil, fmt.Errorf("retention rules: %w", err)
		}
		r.Keep, r.UpdatedAt = time.Duration(days)*24*time.Hour, r.UpdatedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// PutRule sets a rule.
func (q *Retention) PutRule(ctx context.Context, r retention.Rule) error {
	ctx = tenant.WithScope(ctx, r.TenantID)
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO retention_rules (tenant_id, record_type, keep_days, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (tenant_id, record_type) DO UPDATE SET keep_days = excluded.keep_days, updated_at = excluded.updated_at`,
		r.TenantID, r.RecordType, int(r.Keep/(24*time.Hour)), r.UpdatedAt)
	if err != nil {
		return fmt.Errorf("put retention rule: %w", err)
	}
	return nil
}

// Closed lists disabled patient accounts closed before closedBefore, or
// whose deletion request is due at now, that have no disposal certificate,
// oldest first.
func (q *Retention) Closed(ctx context.Context, closedBefore, now time.Time, limit int) ([]retention.Closed, error) {
	ctx = tenant.AcrossTenants(ctx) // the retention job walks every tenant
	rows, err := q.db.r.QueryContext(ctx, `SELECT u.tenant_id, u.id, u.disabled_at, r.dispose_after, COALESCE(r.rule, '') FROM users u
		LEFT JOIN deletion_requests r ON r.tenant_id = u.tenant_id AND r.subject = u.id
		WHERE u.role = 'patient' AND u.status = 'disabled' AND u.disabled_at IS NOT NULL
		AND (u.disabled_at <= $1 OR r.dispose_after <= $3)
		AND NOT EXISTS (SELECT 1 FROM disposal_certificates d WHERE d.subject = u.id)
		ORDER BY u.disabled_at, u.id LIMIT $2`, closedBefore, limit, now)
	if err != nil {
		return nil, fmt.Errorf("closed accounts: %w", err)
	}
	defer rows.Close()
	var out []retention.Closed
	for rows.Next() {
		var c retention.Closed
		var due sql.NullTime
		if err := rows.Scan(&c.TenantID, &c.Subject, &c.ClosedAt, &due, &c.DeletionRule); err != nil {
			return nil, fmt.Errorf("closed accounts: %w", err)
		}
		c.ClosedAt = c.ClosedAt.UTC()
		if due.Valid {
			c.DeletionDue = due.Time.UTC()
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AddDeletionRequest records a verified deletion request; a second one
// keeps the first.
func (q *Retention) AddDeletionRequest(ctx context.Context, tenantID, subject string, verifiedAt, disposeAfter time.Time, rule string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO deletion_requests (tenant_id, subject, verified_at, dispose_after, rule) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (tenant_id, subject) DO NOTHING`, tenantID, subject, verifiedAt, disposeAfter, rule)
	if err != nil {
		return fmt.Errorf("deletion request: %w", err)
	}
	return nil
}

// HeldTypes lists the record types with a legal hold that subject has
// records of: orders, and documentation (prescriptions, lab reports,
// appointments). One statement.
func (q *Retention) HeldTypes(ctx context.Context, tenantID, subject string) ([]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var orders, docs bool
	err := q.db.r.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM orders WHERE tenant_id = $1 AND user_id = $2),
		EXISTS (SELECT 1 FROM rx_prescriptions WHERE tenant_id = $1 AND user_id = $2)
		OR EXISTS (SELECT 1 FROM lab_reports WHERE tenant_id = $1 AND patient_id = $2)
		OR EXISTS (SELECT 1 FROM appointments WHERE tenant_id = $1 AND patient_id = $2)`, tenantID, subject).Scan(&orders, &docs)
	if err != nil {
		return nil, fmt.Errorf("records held: %w", err)
	}
	var out []string
	if docs {
		out = append(out, retention.Documentation)
	}
	if orders {
		out = append(out, retention.Orders)
	}
	return out, nil
}

// AddCertificate records a disposal certificate.
func (q *Retention) AddCertificate(ctx context.Context, c retention.Certificate) error {
	ctx = tenant.WithScope(ctx, c.TenantID)
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO disposal_certificates (id, tenant_id, subject, closed_at, retained_until, disposed_at, actor, method, rule)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		c.ID, c.TenantID, c.Subject, c.ClosedAt, c.RetainedUntil, c.DisposedAt, c.Actor, c.Method, c.Rule)
	if err != nil {
		return fmt.Errorf("add disposal certificate: %w", err)
	}
	return nil
}

// Certificates lists a tenant's certificates, newest first.
func (q *Retention) Certificates(ctx context.Context, tenantID string) ([]retention.Certificate, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := q.db.r.QueryContext(ctx, `SELECT id, subject, closed_at, retained_until, disposed_at, actor, method, rule
		FROM disposal_certificates WHERE tenant_id = $1 ORDER BY disposed_at DESC, id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("disposal certificates: %w", err)
	}
	defer rows.Close()
	var out []retention.Certificate
	for rows.Next() {
		c := retention.Certificate{TenantID: tenantID}
		if err := rows.Scan(&c.ID, &c.Subject, &c.ClosedAt, &c.RetainedUntil, &c.DisposedAt, &c.Actor, &c.Method, &c.Rule); err != nil {
			return nil, fmt.Errorf("disposal certificates: %w", err)
		}
		c.ClosedAt, c.RetainedUntil, c.DisposedAt = c.ClosedAt.UTC(), c.RetainedUntil.UTC(), c.DisposedAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}
