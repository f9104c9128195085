package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/tenant"
)

// Throttles holds the sign-in failure records of throttling keys that are not
// accounts (an unknown identifier, a client address: keyed hashes, never the
// typed value), and each tenant's count of failed sign-ins.
type Throttles struct{ db *DB }

// NewThrottles returns the throttling queries of a PHI store.
func NewThrottles(db *DB) *Throttles { return &Throttles{db: db} }

var _ signin.Throttles = (*Throttles)(nil)

// Throttle reads a key's record; the zero record when there is none. A key
// is never locked until an unlock link (NeedsUnlock is an account's).
func (q *Throttles) Throttle(ctx context.Context, key string) (auth.Throttle, error) {
	var (
		t      auth.Throttle
		locked sql.NullTime
	)
	err := q.db.r.QueryRowContext(ctx, `SELECT failures, last_failure_at, locked_until FROM throttles WHERE key = $1`, key).
		Scan(&t.Failures, &t.LastFailure, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Throttle{}, nil
	}
	if err != nil {
		return auth.Throttle{}, fmt.Errorf("read throttle: %w", err)
	}
	t.LastFailure, t.LockedUntil = t.LastFailure.UTC(), timeOf(locked)
	return t, nil
}

// SetThrottle writes a key's record; a zero record deletes it.
func (q *Throttles) SetThrottle(ctx context.Context, tenantID, key string, t auth.Throttle) error {
	ctx = tenant.WithScope(ctx, tenantID)
	var err error
	if t.Failures == 0 {
		_, err = q.db.w.ExecContext(ctx, `DELETE FROM throttles WHERE key = $1`, key)
	} else {
		_, err = q.db.w.ExecContext(ctx, `INSERT INTO throttles (key, tenant_id, failures, last_failure_at, locked_until)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,
			last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until`,
			key, tenantID, t.Failures, t.LastFailure, nullTime(t.LockedUntil))
	}
	if err != nil {
		return fmt.Errorf("write throttle: %w", err)
	}
	return nil
}

// UpdateBurst reads a tenant's count of failed sign-ins in the current
// window, applies fn and writes the result, in one transaction.
func (q *Throttles) UpdateBurst(ctx context.Context, tenantID string, fn func(auth.BurstState) auth.BurstState) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return q.db.Tx(ctx, func(tx *sql.Tx) error {
		var (
			b       auth.BurstState
			start   sql.NullTime
			alerted sql.NullTime
		)
		err := tx.QueryRowContext(ctx, `SELECT window_start, count, alerted_at FROM bursts WHERE tenant_id = $1`, tenantID).
			Scan(&start, &b.Count, &alerted)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read burst: %w", err)
		}
		b.WindowStart, b.AlertedAt = timeOf(start), timeOf(alerted)
		b = fn(b)
		_, err = tx.ExecContext(ctx, `INSERT INTO bursts (tenant_id, window_start, count, alerted_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (tenant_id) DO UPDATE SET window_start = excluded.window_start, count = excluded.count,
			alerted_at = excluded.alerted_at`, tenantID, b.WindowStart, b.Count, nullTime(b.AlertedAt))
		if err != nil {
			return fmt.Errorf("write burst: %w", err)
		}
		return nil
	})
}
