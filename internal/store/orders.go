package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/tenant"
)

// Orders keeps orders in the PHI store. It implements orders.Store: the
// details arrive sealed by the vault, and the store never sees inside them.
type Orders struct{ db *DB }

// NewOrders returns the order storage of a PHI store.
func NewOrders(db *DB) *Orders { return &Orders{db: db} }

var _ orders.Store = (*Orders)(nil)

const orderColumns = `id, tenant_id, user_id, reference, status, gateway, charge_id, details_ct, created_at, updated_at`

// orderReadColumns are orderColumns and the sealed shipment (set later,
// never at insert).
// The timestamps are read as text on SQLite (COALESCE(col, NULL): texttime.go), which scanOrder
// parses.
const orderReadColumns = `id, tenant_id, user_id, reference, status, gateway, charge_id, details_ct, COALESCE(created_at, NULL), COALESCE(updated_at, NULL), shipment_ct`

// orderOwnedColumns are orderReadColumns without the tenant and owner, for
// a read whose WHERE names both (ByOwner): scanOwnedOrder sets them from
// its arguments. Why: each column of each row is several calls into the
// driver (its type, its text, a string made of it) and an interface value;
// on a dashboard view these two of every row were a few percent of its CPU.
// No column is compared other than byte for byte (no COLLATE), so the row's
// value is the argument's.
const orderOwnedColumns = `id, reference, status, gateway, charge_id, details_ct, COALESCE(created_at, NULL), COALESCE(updated_at, NULL), shipment_ct`

// scanOwnedOrder scans orderOwnedColumns of a row of tenantID's userID.
func scanOwnedOrder(row interface{ Scan(...any) error }, tenantID, userID string) (orders.Record, error) {
	o := orders.Record{TenantID: tenantID, UserID: userID}
	var status string
	err := row.Scan(&o.ID, &o.Reference, &status, &o.Gateway, &o.ChargeID, &o.DetailsCT, timeScan{&o.CreatedAt}, timeScan{&o.UpdatedAt}, &o.ShipmentCT)
	o.Status = orders.Status(status)
	return o, err
}

func scanOrder(row interface{ Scan(...any) error }) (orders.Record, error) {
	var o orders.Record
	var status string
	err := row.Scan(&o.ID, &o.TenantID, &o.UserID, &o.Reference, &status, &o.Gateway, &o.ChargeID, &o.DetailsCT, timeScan{&o.CreatedAt}, timeScan{&o.UpdatedAt}, &o.ShipmentCT)
	o.Status = orders.Status(status)
	return o, err
}

// Insert stores a new order; a taken reference is a Conflict (apperr.ErrDuplicate).
func (s *Orders) Insert(ctx context.Context, o orders.Record) error {
	ctx = tenant.WithScope(ctx, o.TenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO orders (`+orderColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			o.ID, o.TenantID, o.UserID, o.Reference, string(o.Status), o.Gateway, o.ChargeID, o.DetailsCT, o.CreatedAt, o.UpdatedAt)
		if isUniqueViolation(err) {
			return apperr.DuplicateError("an order with this reference")
		}
		if err != nil {
			return fmt.Errorf("insert order: %w", err)
		}
		return nil
	})
}

// ByID returns an order of a tenant, or NotFound.
func (s *Orders) ByID(ctx context.Context, tenantID, orderID string) (orders.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	o, err := scanOrder(s.db.r.QueryRowContext(ctx, `SELECT `+orderReadColumns+` FROM orders WHERE id = $1 AND tenant_id = $2`, orderID, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return o, apperr.NotFoundError()
	}
	if err != nil {
		return o, fmt.Errorf("order: %w", err)
	}
	return o, nil
}

// ByOwner returns a person's orders, newest first, at most limit.
func (s *Orders) ByOwner(ctx context.Context, tenantID, userID string, limit int) ([]orders.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	// LIMIT CAST(...): a bare LIMIT parameter makes SQLite re-plan its cached
	// statement on every run (stmtcache.go).
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+orderOwnedColumns+` FROM orders WHERE tenant_id = $1 AND user_id = $2
		ORDER BY created_at DESC, id DESC LIMIT CAST($3 AS INTEGER)`, tenantID, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("orders: %w", err)
	}
	defer rows.Close()
	var out []orders.Record
	for rows.Next() {
		o, err := scanOwnedOrder(rows, tenantID, userID)
		if err != nil {
			return nil, fmt.Errorf("orders: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// SetStatus moves an order from one status to another; a Conflict (apperr.ErrStale) when it is
// no longer in from (another request moved it first).
func (s *Orders) SetStatus(ctx context.Context, tenantID, orderID string, from, to orders.Status, chargeID string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE orders SET status = $1, updated_at = $2,
			charge_id = CASE WHEN $3 = '' THEN charge_id ELSE $3 END
			WHERE id = $4 AND tenant_id = $5 AND status = $6`, string(to), now, chargeID, orderID, tenantID, string(from))
		if err != nil {
			return fmt.Errorf("order status: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return apperr.StaleError()
		}
		return nil
	})
}

// queueStatuses is how many statuses one Queue call can select: every
// status there is. Fewer are padded by repeating one, so the statement is one
// fixed text (no SQL built from strings).
const queueStatuses = 8

// Queue returns a tenant's orders in any of statuses, newest first, at most
// limit: what is in the clear, never the sealed details (the queue opens no
// PHI). after, when not empty, is the id of the last order of the previous
// page: the page goes on from there (keyset pagination on created_at and id,
// so a page costs the same however deep it is).
func (s *Orders) Queue(ctx context.Context, tenantID string, statuses []orders.Status, after string, limit int) ([]orders.QueueItem, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if len(statuses) == 0 {
		return nil, nil
	}
	if len(statuses) > queueStatuses {
		return nil, fmt.Errorf("order queue: %d statuses, at most %d", len(statuses), queueStatuses)
	}
	args := []any{tenantID}
	for i := range queueStatuses {
		args = append(args, string(statuses[min(i, len(statuses)-1)]))
	}
	args = append(args, after, limit)
	rows, err := s.db.r.QueryContext(ctx, `SELECT id, reference, status, gateway, created_at FROM orders
		WHERE tenant_id = $1 AND status IN ($2, $3, $4, $5, $6, $7, $8, $9)
		AND ($10 = '' OR (created_at, id) < (SELECT created_at, id FROM orders WHERE tenant_id = $1 AND id = $10))
		ORDER BY created_at DESC, id DESC LIMIT $11`, args...)
	if err != nil {
		return nil, fmt.Errorf("order queue: %w", err)
	}
	defer rows.Close()
	var out []orders.QueueItem
	for rows.Next() {
		var o orders.QueueItem
		var status string
		if err := rows.Scan(&o.ID, &o.Reference, &status, &o.Gateway, &o.CreatedAt); err != nil {
			return nil, fmt.Errorf("order queue: %w", err)
		}
		o.Status, o.CreatedAt = orders.Status(status), o.CreatedAt.UTC()
		out = append(out, o)
	}
	return out, rows.Err()
}

// SetCharge records the gateway's id for an order's payment while the order
// stays where it is (a hosted payment page made for a pending order).
func (s *Orders) SetCharge(ctx context.Context, tenantID, orderID string, status orders.Status, chargeID string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.SetStatus(ctx, tenantID, orderID, status, status, chargeID, now)
}

// SetShipment records the sealed shipment of a shipped order; a Conflict
// (apperr.ErrStale) when the order is not shipped (or not there).
func (s *Orders) SetShipment(ctx context.Context, tenantID, orderID string, ct []byte, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE orders SET shipment_ct = $3, updated_at = $4 WHERE id = $1 AND tenant_id = $2 AND status = 'shipped'`,
			orderID, tenantID, ct, now)
		if err != nil {
			return fmt.Errorf("order shipment: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return apperr.StaleError()
		}
		return nil
	})
}

// Unpaid returns a gateway's orders, in every tenant, still waiting for
// payment that were placed before the given time, oldest first, at most
// limit: what payment reconciliation asks the gateway about.
func (s *Orders) Unpaid(ctx context.Context, gateway string, before time.Time, limit int) ([]orders.Record, error) {
	ctx = tenant.AcrossTenants(ctx) // the payment reconciliation job walks every tenant
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+orderReadColumns+` FROM orders WHERE status = 'pending_payment'
		AND gateway = $1 AND created_at < $2 ORDER BY created_at, id LIMIT $3`, gateway, before, limit)
	if err != nil {
		return nil, fmt.Errorf("unpaid orders: %w", err)
	}
	defer rows.Close()
	var out []orders.Record
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, fmt.Errorf("unpaid orders: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
