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

// Returns keeps order returns in the PHI store (phi/0031_order_returns). It
// implements orders.ReturnStore: the details arrive sealed by the vault.
type Returns struct{ db *DB }

// NewReturns returns the return storage of a PHI store.
func NewReturns(db *DB) *Returns { return &Returns{db: db} }

var _ orders.ReturnStore = (*Returns)(nil)

const returnColumns = `id, tenant_id, order_id, user_id, status, details_ct, refunded, created_at, updated_at`

func scanReturn(row interface{ Scan(...any) error }) (orders.ReturnRecord, error) {
	var r orders.ReturnRecord
	var status string
	err := row.Scan(&r.ID, &r.TenantID, &r.OrderID, &r.UserID, &status, &r.DetailsCT, &r.Refunded, &r.CreatedAt, &r.UpdatedAt)
	r.Status = orders.ReturnStatus(status)
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return r, err
}

// Units returns the units of an order's lines held by returns not rejected.
func (s *Returns) Units(ctx context.Context, tenantID, orderID string) ([]orders.ReturnUnit, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var out []orders.ReturnUnit
	err := each(ctx, s.db.r, `SELECT line, unit FROM order_return_units WHERE tenant_id = $1 AND order_id = $2`,
		[]any{tenantID, orderID}, func(rows *sql.Rows) error {
			var u orders.ReturnUnit
			err := rows.Scan(&u.Line, &u.Unit)
			out = append(out, u)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("return units: %w", err)
	}
	return out, nil
}

// Insert stores a return and claims its units in one transaction. Why the
// claim is an INSERT on the units' primary key: two requests for the same
// last unit at once both try the same row and one fails, on either engine,
// so it is returned (and refunded) once.
func (s *Returns) Insert(ctx context.Context, r orders.ReturnRecord, units []orders.ReturnUnit) error {
	ctx = tenant.WithScope(ctx, r.TenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO order_returns (`+returnColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			r.ID, r.TenantID, r.OrderID, r.UserID, string(r.Status), r.DetailsCT, r.Refunded, r.CreatedAt, r.UpdatedAt); err != nil {
			return fmt.Errorf("insert return: %w", err)
		}
		for _, u := range units {
			_, err := tx.ExecContext(ctx, `INSERT INTO order_return_units (tenant_id, order_id, line, unit, return_id) VALUES ($1, $2, $3, $4, $5)`,
				r.TenantID, r.OrderID, u.Line, u.Unit, r.ID)
			if isUniqueViolation(err) {
				return apperr.DuplicateError("a return of these units")
			}
			if err != nil {
				return fmt.Errorf("claim return unit: %w", err)
			}
		}
		return nil
	})
}

// ByID returns a return of a tenant, or NotFound.
func (s *Returns) ByID(ctx context.Context, tenantID, returnID string) (orders.ReturnRecord, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	r, err := scanReturn(s.db.r.QueryRowContext(ctx, `SELECT `+returnColumns+` FROM order_returns WHERE id = $1 AND tenant_id = $2`, returnID, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundError()
	}
	if err != nil {
		return r, fmt.Errorf("return: %w", err)
	}
	return r, nil
}

// ByOrder returns an order's returns, oldest first.
func (s *Returns) ByOrder(ctx context.Context, tenantID, orderID string) ([]orders.ReturnRecord, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var out []orders.ReturnRecord
	err := each(ctx, s.db.r, `SELECT `+returnColumns+` FROM order_returns WHERE tenant_id = $1 AND order_id = $2 ORDER BY created_at, id`,
		[]any{tenantID, orderID}, func(rows *sql.Rows) error {
			r, err := scanReturn(rows)
			out = append(out, r)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("returns: %w", err)
	}
	return out, nil
}

// SetStatus moves a return from one status to another; a Conflict
// (apperr.ErrStale) when it is no longer in from. Moving to refunded records
// the amount; moving to rejected frees the return's units for another
// request, in the same transaction.
func (s *Returns) SetStatus(ctx context.Context, tenantID, returnID string, from, to orders.ReturnStatus, refunded int64, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE order_returns SET status = $1, updated_at = $2, refunded = refunded + $3
			WHERE id = $4 AND tenant_id = $5 AND status = $6`, string(to), now, refunded, returnID, tenantID, string(from))
		if err != nil {
			return fmt.Errorf("return status: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return apperr.StaleError()
		}
		if to == orders.ReturnRejected {
			if _, err := tx.ExecContext(ctx, `DELETE FROM order_return_units WHERE return_id = $1 AND tenant_id = $2`, returnID, tenantID); err != nil {
				return fmt.Errorf("free return units: %w", err)
			}
		}
		return nil
	})
}

// RefundedTotal is what an order's returns refunded.
func (s *Returns) RefundedTotal(ctx context.Context, tenantID, orderID string) (int64, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var n int64
	if err := s.db.r.QueryRowContext(ctx, `SELECT COALESCE(SUM(refunded), 0) FROM order_returns WHERE tenant_id = $1 AND order_id = $2`,
		tenantID, orderID).Scan(&n); err != nil {
		return 0, fmt.Errorf("returns refunded: %w", err)
	}
	return n, nil
}

// SetDetails replaces a return's sealed details.
func (s *Returns) SetDetails(ctx context.Context, tenantID, returnID string, ct []byte, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE order_returns SET details_ct = $1, updated_at = $2 WHERE id = $3 AND tenant_id = $4`,
			ct, now, returnID, tenantID); err != nil {
			return fmt.Errorf("return details: %w", err)
		}
		return nil
	})
}

// Open returns up to limit of a tenant's returns waiting for staff, oldest
// first, with their order's reference (both in the clear).
func (s *Returns) Open(ctx context.Context, tenantID string, limit int) ([]orders.ReturnQueueItem, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var out []orders.ReturnQueueItem
	err := each(ctx, s.db.r, `SELECT r.id, r.order_id, o.reference, r.status, r.created_at FROM order_returns r
		JOIN orders o ON o.id = r.order_id AND o.tenant_id = r.tenant_id
		WHERE r.tenant_id = $1 AND r.status IN ('requested', 'approved', 'received')
		ORDER BY r.created_at, r.id LIMIT CAST($2 AS INTEGER)`, []any{tenantID, limit}, func(rows *sql.Rows) error {
		var q orders.ReturnQueueItem
		var status string
		err := rows.Scan(&q.ID, &q.OrderID, &q.Reference, &status, &q.CreatedAt)
		q.Status, q.CreatedAt = orders.ReturnStatus(status), q.CreatedAt.UTC()
		out = append(out, q)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open returns: %w", err)
	}
	return out, nil
}

// Restock puts returned, resellable units back in stock (orders.Restocker).
// The caller guarantees once (the return's move to received is
// conditional). Like Release, a variant that changes stock level refreshes
// the product's in-stock flag and the catalog version.
func (s *Stock) Restock(ctx context.Context, tenantID string, items []orders.StockItem) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		shown := false
		ordered, err := lockOrder(ctx, tx, tenantID, mergeItems(items))
		if err != nil {
			return fmt.Errorf("restock: %w", err)
		}
		for _, it := range ordered {
			var back int64
			err := tx.QueryRowContext(ctx, `UPDATE variants SET stock = stock + $1 WHERE id = $2 AND tenant_id = $3
				AND (org_variant_id IS NULL OR own_stock) RETURNING stock`, it.Quantity, it.VariantID, tenantID).Scan(&back)
			if errors.Is(err, sql.ErrNoRows) {
				// A copy of an organisation variant: back to the shared stock
				// (which keeps every brand's flags and versions itself).
				_, err = takeShared(ctx, tx, tenantID, it.VariantID, it.Quantity)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("restock: %w", err)
				}
				continue // or removed from the catalog since
			}
			if err != nil {
				return fmt.Errorf("restock: %w", err)
			}
			if levelChanged(back-it.Quantity, back) {
				shown = true
				if _, err := tx.ExecContext(ctx, `UPDATE products SET in_stock = EXISTS (SELECT 1 FROM variants v WHERE v.product_id = products.id AND v.stock > 0)
					WHERE tenant_id = $1 AND id = (SELECT product_id FROM variants WHERE id = $2)`, tenantID, it.VariantID); err != nil {
					return fmt.Errorf("restock flags: %w", err)
				}
			}
		}
		if !shown {
			return nil
		}
		return bumpVersion(ctx, tx, tenantID)
	})
}
