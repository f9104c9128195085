package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/webhooks"
)

// Webhooks holds webhook subscriptions, deliveries and their tries in the
// PHI store. It implements webhooks.Store.
type Webhooks struct{ db *DB }

// NewWebhooks returns the webhook queries of a PHI store.
func NewWebhooks(db *DB) *Webhooks { return &Webhooks{db: db} }

var _ webhooks.Store = (*Webhooks)(nil)

// InsertSubscription adds a subscription.
func (q *Webhooks) InsertSubscription(ctx context.Context, s webhooks.Subscription) error {
	ctx = tenant.WithScope(ctx, s.TenantID)
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO webhook_subscriptions (id, tenant_id, url, events, vendor_id, carry_phi, secret_ct, created_at, disabled_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, s.ID, s.TenantID, s.URL, strings.Join(s.Events, " "), s.VendorID, s.CarryPHI, s.SecretCT, s.CreatedAt.UTC(),
		nullTime(s.DisabledAt))
	if err != nil {
		return fmt.Errorf("add webhook: %w", err)
	}
	return nil
}

const subscriptionColumns = `id, tenant_id, url, events, vendor_id, carry_phi, secret_ct, created_at, disabled_at`

func scanSubscriptions(rows *sql.Rows) ([]webhooks.Subscription, error) {
	defer rows.Close()
	var out []webhooks.Subscription
	for rows.Next() {
		var s webhooks.Subscription
		var events string
		var disabled sql.NullTime
		if err := rows.Scan(&s.ID, &s.TenantID, &s.URL, &events, &s.VendorID, &s.CarryPHI, &s.SecretCT, &s.CreatedAt, &disabled); err != nil {
			return nil, fmt.Errorf("webhooks: %w", err)
		}
		s.Events, s.CreatedAt, s.DisabledAt = strings.Fields(events), s.CreatedAt.UTC(), timeOf(disabled)
		out = append(out, s)
	}
	return out, rows.Err()
}

// Subscriptions lists a tenant's subscriptions, newest first.
func (q *Webhooks) Subscriptions(ctx context.Context, tenantID string) ([]webhooks.Subscription, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := q.db.r.QueryContext(ctx, `SELECT `+subscriptionColumns+` FROM webhook_subscriptions WHERE tenant_id = $1
		ORDER BY created_at DESC, id DESC`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	return scanSubscriptions(rows)
}

// Subscription returns one of a tenant's subscriptions.
func (q *Webhooks) Subscription(ctx context.Context, tenantID, id string) (webhooks.Subscription, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := q.db.r.QueryContext(ctx, `SELECT `+subscriptionColumns+` FROM webhook_subscriptions WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	if err != nil {
		return webhooks.Subscription{}, fmt.Errorf("webhook: %w", err)
	}
	out, err := scanSubscriptions(rows)
	if err != nil {
		return webhooks.Subscription{}, err
	}
	if len(out) == 0 {
		return webhooks.Subscription{}, apperr.NotFoundError()
	}
	return out[0], nil
}

// Disable switches a subscription off and gives up its waiting deliveries.
func (q *Webhooks) Disable(ctx context.Context, tenantID, id string, at time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return q.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_subscriptions SET disabled_at = $3 WHERE tenant_id = $1 AND id = $2`, tenantID, id, at.UTC()); err != nil {
			return fmt.Errorf("disable webhook: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET failed_at = $3, last_error = 'the webhook was switched off'
			WHERE tenant_id = $1 AND subscription_id = $2 AND delivered_at IS NULL AND failed_at IS NULL`, tenantID, id, at.UTC()); err != nil {
			return fmt.Errorf("disable webhook: %w", err)
		}
		return nil
	})
}

// Enable switches a subscription on (an approved request to add it).
func (q *Webhooks) Enable(ctx context.Context, tenantID, id string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := q.db.w.ExecContext(ctx, `UPDATE webhook_subscriptions SET disabled_at = NULL WHERE tenant_id = $1 AND id = $2`, tenantID, id); err != nil {
		return fmt.Errorf("enable webhook: %w", err)
	}
	return nil
}

// Enqueue queues deliveries.
func (q *Webhooks) Enqueue(ctx context.Context, ds []webhooks.Delivery) error {
	return q.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, d := range ds {
			ctx := tenant.WithScope(ctx, d.TenantID) // each row is written behind its own tenant's wall
			if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (id, tenant_id, subscription_id, event, payload, created_at, next_attempt_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, d.ID, d.TenantID, d.SubscriptionID, d.Event, d.Payload, d.CreatedAt.UTC(), d.NextAttemptAt.UTC()); err != nil {
				return fmt.Errorf("queue webhook: %w", err)
			}
		}
		return nil
	})
}

const deliveryColumns = `id, tenant_id, subscription_id, event, payload, created_at, next_attempt_at, attempts, delivered_at, failed_at, last_status, last_error`

func scanDeliveries(rows *sql.Rows) ([]webhooks.Delivery, error) {
	defer rows.Close()
	var out []webhooks.Delivery
	for rows.Next() {
		var d webhooks.Delivery
		var delivered, failed sql.NullTime
		if err := rows.Scan(&d.ID, &d.TenantID, &d.SubscriptionID, &d.Event, &d.Payload, &d.CreatedAt, &d.NextAttemptAt, &d.Attempts,
			&delivered, &failed, &d.LastStatus, &d.LastError); err != nil {
			return nil, fmt.Errorf("webhook deliveries: %w", err)
		}
		d.CreatedAt, d.NextAttemptAt, d.DeliveredAt, d.FailedAt = d.CreatedAt.UTC(), d.NextAttemptAt.UTC(), timeOf(delivered), timeOf(failed)
		out = append(out, d)
	}
	return out, rows.Err()
}

// Due lists deliveries whose next try is due, oldest first.
func (q *Webhooks) Due(ctx context.Context, now time.Time, limit int) ([]webhooks.Delivery, error) {
	ctx = tenant.AcrossTenants(ctx) // the delivery job walks every tenant
	rows, err := q.db.r.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2`, now.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("due webhooks: %w", err)
	}
	return scanDeliveries(rows)
}

// Recent lists a tenant's newest deliveries.
func (q *Webhooks) Recent(ctx context.Context, tenantID string, limit int) ([]webhooks.Delivery, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := q.db.r.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE tenant_id = $1
		ORDER BY created_at DESC, id DESC LIMIT $2`, tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("webhook deliveries: %w", err)
	}
	return scanDeliveries(rows)
}

// Attempts lists a tenant's newest tries.
func (q *Webhooks) Attempts(ctx context.Context, tenantID string, limit int) ([]webhooks.Attempt, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := q.db.r.QueryContext(ctx, `SELECT delivery_id, attempt, at, status, error FROM webhook_attempts WHERE tenant_id = $1
		ORDER BY at DESC, delivery_id, attempt DESC LIMIT $2`, tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("webhook attempts: %w", err)
	}
	defer rows.Close()
	var out []webhooks.Attempt
	for rows.Next() {
		var a webhooks.Attempt
		if err := rows.Scan(&a.DeliveryID, &a.N, &a.At, &a.Status, &a.Error); err != nil {
			return nil, fmt.Errorf("webhook attempts: %w", err)
		}
		a.At = a.At.UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

// Record saves a try and the delivery's new state together. Why only while
// the delivery is still open: two runners racing on one delivery (a leader
// change) record it once.
func (q *Webhooks) Record(ctx context.Context, d webhooks.Delivery, a webhooks.Attempt) error {
	ctx = tenant.WithScope(ctx, d.TenantID)
	return q.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET attempts = $2, next_attempt_at = $3, delivered_at = $4, failed_at = $5,
			last_status = $6, last_error = $7 WHERE id = $1 AND delivered_at IS NULL AND failed_at IS NULL`,
			d.ID, d.Attempts, d.NextAttemptAt.UTC(), nullTime(d.DeliveredAt), nullTime(d.FailedAt), d.LastStatus, d.LastError)
		if err != nil {
			return fmt.Errorf("record webhook try: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts (delivery_id, attempt, tenant_id, at, status, error) VALUES ($1, $2, $3, $4, $5, $6)`,
			a.DeliveryID, a.N, d.TenantID, a.At.UTC(), a.Status, a.Error); err != nil {
			return fmt.Errorf("record webhook try: %w", err)
		}
		return nil
	})
}

// Hold puts a delivery off without counting a try.
func (q *Webhooks) Hold(ctx context.Context, id string, next time.Time, why string) error {
	ctx = tenant.AcrossTenants(ctx) // the delivery job holds what Due found, in any tenant
	_, err := q.db.w.ExecContext(ctx, `UPDATE webhook_deliveries SET next_attempt_at = $2, last_error = $3 WHERE id = $1`, id, next.UTC(), why)
	if err != nil {
		return fmt.Errorf("hold webhook: %w", err)
	}
	return nil
}

// SetCarryPHI records whether a subscription carries its events' PHI (an
// approved change, internal/changes).
func (q *Webhooks) SetCarryPHI(ctx context.Context, tenantID, id string, carry bool) error {
	ctx = tenant.WithScope(ctx, tenantID)
	res, err := q.db.w.ExecContext(ctx, `UPDATE webhook_subscriptions SET carry_phi = $3 WHERE tenant_id = $1 AND id = $2`, tenantID, id, carry)
	if err != nil {
		return fmt.Errorf("webhook carry_phi: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return apperr.NotFoundError()
	}
	return nil
}
