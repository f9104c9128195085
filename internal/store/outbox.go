package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/tenant"
)

// Outbox holds the outbox queries of the PHI store. It implements
// outbox.Store.
type Outbox struct{ db *DB }

// NewOutbox returns the outbox queries of a PHI store.
func NewOutbox(db *DB) *Outbox { return &Outbox{db: db} }

var _ outbox.Store = (*Outbox)(nil)

const outboxColumns = `id, tenant_id, subject_id, kind, message_ct, created_at, next_attempt_at, attempts, sent_at, failed_at, last_error, to_masked`

func scanOutbox(rows *sql.Rows) ([]outbox.Record, error) {
	defer rows.Close()
	var out []outbox.Record
	for rows.Next() {
		var (
			o            outbox.Record
			sent, failed sql.NullTime
		)
		if err := rows.Scan(&o.ID, &o.TenantID, &o.SubjectID, &o.Kind, &o.MessageCT, &o.CreatedAt, &o.NextAttemptAt,
			&o.Attempts, &sent, &failed, &o.LastError, &o.ToMasked); err != nil {
			return nil, fmt.Errorf("scan outbox: %w", err)
		}
		o.CreatedAt, o.NextAttemptAt, o.SentAt, o.FailedAt = o.CreatedAt.UTC(), o.NextAttemptAt.UTC(), timeOf(sent), timeOf(failed)
		out = append(out, o)
	}
	return out, rows.Err()
}

// Insert queues a message.
func (q *Outbox) Insert(ctx context.Context, o outbox.Record) error {
	ctx = tenant.WithScope(ctx, o.TenantID)
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO outbox (id, tenant_id, subject_id, kind, message_ct, created_at, next_attempt_at, to_masked)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, o.ID, o.TenantID, o.SubjectID, o.Kind, o.MessageCT, o.CreatedAt, o.NextAttemptAt, o.ToMasked)
	if err != nil {
		return fmt.Errorf("queue email: %w", err)
	}
	return nil
}

// Due lists messages waiting to be sent whose next attempt is due, oldest first.
func (q *Outbox) Due(ctx context.Context, now time.Time, limit int) ([]outbox.Record, error) {
	ctx = tenant.AcrossTenants(ctx) // the sender walks every tenant's outbox
	rows, err := q.db.r.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL
		AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2`, now, limit)
	if err != nil {
		return nil, fmt.Errorf("due emails: %w", err)
	}
	return scanOutbox(rows)
}

// Recent lists a tenant's newest messages, sent or not.
func (q *Outbox) Recent(ctx context.Context, tenantID string, limit int) ([]outbox.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := q.db.r.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE tenant_id = $1
		ORDER BY created_at DESC, id DESC LIMIT $2`, tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("recent emails: %w", err)
	}
	return scanOutbox(rows)
}

// ByID returns one of a tenant's messages.
func (q *Outbox) ByID(ctx context.Context, tenantID, id string) (outbox.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := q.db.r.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	if err != nil {
		return outbox.Record{}, fmt.Errorf("email: %w", err)
	}
	out, err := scanOutbox(rows)
	if err != nil {
		return outbox.Record{}, err
	}
	if len(out) == 0 {
		return outbox.Record{}, apperr.NotFoundError()
	}
	return out[0], nil
}

// Counts counts a tenant's messages by status.
func (q *Outbox) Counts(ctx context.Context, tenantID string) (outbox.Counts, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var c outbox.Counts
	err := q.db.r.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN sent_at IS NULL AND failed_at IS NOT NULL THEN 1 ELSE 0 END), 0)
		FROM outbox WHERE tenant_id = $1`, tenantID).Scan(&c.Waiting, &c.Sent, &c.Failed)
	if err != nil {
		return c, fmt.Errorf("count emails: %w", err)
	}
	return c, nil
}

// MarkSent records a delivered message.
func (q *Outbox) MarkSent(ctx context.Context, id string, now time.Time) error {
	ctx = tenant.AcrossTenants(ctx) // the sender marks what Due found, in any tenant
	_, err := q.db.w.ExecContext(ctx, `UPDATE outbox SET sent_at = $2, attempts = attempts + 1, last_error = '' WHERE id = $1`, id, now)
	if err != nil {
		return fmt.Errorf("mark email sent: %w", err)
	}
	return nil
}

// MarkRetry records a failed attempt: the next one is at next, or never
// (failed for good) when giveUp.
func (q *Outbox) MarkRetry(ctx context.Context, id string, next time.Time, giveUp bool, why string, now time.Time) error {
	ctx = tenant.AcrossTenants(ctx) // as MarkSent
	var failed any
	if giveUp {
		failed = now
	}
	_, err := q.db.w.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2, failed_at = $3,
		last_error = $4 WHERE id = $1`, id, next, failed, why)
	if err != nil {
		return fmt.Errorf("mark email retry: %w", err)
	}
	return nil
}

// Hold puts a message off until next without counting an attempt.
func (q *Outbox) Hold(ctx context.Context, id string, next time.Time, why string) error {
	ctx = tenant.AcrossTenants(ctx) // as MarkSent
	_, err := q.db.w.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = $2, last_error = $3 WHERE id = $1`, id, next, why)
	if err != nil {
		return fmt.Errorf("hold email: %w", err)
	}
	return nil
}
