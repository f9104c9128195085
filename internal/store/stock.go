package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/tenant"
)

// Stock reserves, confirms and releases variant stock in the catalog store.
// The order id is the idempotency key of every call. It implements
// orders.Stock.
type Stock struct{ db *DB }

// NewStock returns the stock reservations of a catalog store.
func NewStock(db *DB) *Stock { return &Stock{db: db} }

var _ orders.Stock = (*Stock)(nil)

// Reserve takes the items out of stock for an order, all or nothing, holding
// them until expires. Reserving again for an order that already has a
// reservation changes nothing. When an item runs short the error is a
// Conflict naming it, and no stock moved. promotionID, if set, is a
// promotion code the order uses: its use is counted in the same transaction,
// and a code used up meanwhile fails the whole reservation.
//
// Why a conditional UPDATE (stock >= qty): the check and the decrement are
// one statement, so two buyers of the last unit cannot both get it on either
// engine (PostgreSQL locks the row; SQLite has one writer).
func (s *Stock) Reserve(ctx context.Context, tenantID, orderID string, items []orders.StockItem, use orders.PromoUse, now, expires time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM stock_reservations WHERE order_id = $1 AND tenant_id = $2`,
			orderID, tenantID).Scan(&n); err != nil {
			return fmt.Errorf("reserve stock: %w", err)
		}
		if n > 0 {
			return nil
		}
		shown := false
		ordered, err := lockOrder(ctx, tx, tenantID, mergeItems(items))
		if err != nil {
			return fmt.Errorf("reserve stock: %w", err)
		}
		for _, it := range ordered {
			var left int64
			err := tx.QueryRowContext(ctx, `UPDATE variants SET stock = stock - $1 WHERE id = $2 AND tenant_id = $3 AND stock >= $1
				AND (org_variant_id IS NULL OR own_stock) RETURNING stock`, it.Quantity, it.VariantID, tenantID).Scan(&left)
			if errors.Is(err, sql.ErrNoRows) {
				// A copy of an organisation variant sells the shared stock.
				left, err = takeShared(ctx, tx, tenantID, it.VariantID, -it.Quantity)
			}
			if isShortOrMissing(err) {
				return apperr.New(apperr.Conflict, "Sorry, there is not enough stock left of "+it.Label+". Lower the quantity or remove it from your cart.")
			}
			if err != nil {
				return fmt.Errorf("reserve stock: %w", err)
			}
			shown = shown || levelChanged(left+it.Quantity, left)
			if _, err := tx.ExecContext(ctx, `INSERT INTO stock_reservations (order_id, variant_id, tenant_id, quantity, status, expires_at, created_at, updated_at)
				VALUES ($1, $2, $3, $4, 'held', $5, $6, $6)`, orderID, it.VariantID, tenantID, it.Quantity, expires, now); err != nil {
				return fmt.Errorf("reserve stock: %w", err)
			}
		}
		if use.PromotionID != "" {
			// The limit, the window and the pause are checked by the
			// UPDATE itself, so two buyers racing for the last use of a
			// code cannot both count it (the row is locked by the first).
			res, err := tx.ExecContext(ctx, `UPDATE promotions SET used = used + 1 WHERE id = $1 AND tenant_id = $2
				AND (usage_limit = 0 OR used < usage_limit) AND starts_at <= $3 AND (ends_at IS NULL OR ends_at > $3) AND NOT paused`,
				use.PromotionID, tenantID, now)
			if err != nil {
				return fmt.Errorf("use promotion: %w", err)
			}
			if k, err := res.RowsAffected(); err != nil || k != 1 {
				return apperr.InvalidFields("Check the promotion code.", map[string]string{"promo": "This code has been used up, paused or has expired."})
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO promotion_uses (promotion_id, order_id, tenant_id, created_at, discount, currency)
				VALUES ($1, $2, $3, $4, $5, $6)`, use.PromotionID, orderID, tenantID, now, use.Discount, use.Currency); err != nil {
				return fmt.Errorf("use promotion: %w", err)
			}
		}
		if !shown {
			return nil
		}
		return stockChanged(ctx, tx, tenantID, orderID)
	})
}

// levelChanged reports whether a variant's stock moving from before to after
// changes what the public is shown about it (catalog.AvailabilityOf: out of
// stock, only a few left, in stock). Pages and API documents show the level,
// never the count, so only such a change needs the catalog version bumped.
func levelChanged(before, after int64) bool {
	return catalog.AvailabilityOf(before) != catalog.AvailabilityOf(after)
}

// mergeItems adds up the quantities of a variant listed twice and sorts the
// items by variant id. Why sorted: two orders locking the same rows in the
// same order cannot deadlock on PostgreSQL.
func mergeItems(items []orders.StockItem) []orders.StockItem {
	byID := map[string]int{}
	var out []orders.StockItem
	for _, it := range items {
		if i, ok := byID[it.VariantID]; ok {
			out[i].Quantity += it.Quantity
			continue
		}
		byID[it.VariantID] = len(out)
		out = append(out, it)
	}
	slices.SortFunc(out, func(a, b orders.StockItem) int { return strings.Compare(a.VariantID, b.VariantID) })
	return out
}

// lockOrder orders a tenant's merged, id-sorted items in the order their
// rows are locked: first the variants that sell their own count (the
// brand's own products, and copies on the brand's own stock), by variant
// id, then the copies that sell an organisation's shared stock, by the
// organisation variant's id. Why: a copy's sale locks the organisation's
// variant and then every brand's copy of it (takeShared), and two brands'
// copies of the same two organisation variants sort differently by their
// own ids; taken in organisation-variant order, two multi-line orders in
// sister brands lock the shared rows in one order and cannot deadlock on
// PostgreSQL. A single item needs no look-up.
func lockOrder(ctx context.Context, tx *sql.Tx, tenantID string, items []orders.StockItem) ([]orders.StockItem, error) {
	if len(items) < 2 {
		return items, nil
	}
	args := []any{tenantID}
	for _, it := range items {
		args = append(args, it.VariantID)
	}
	shared := map[string]string{}
	//nolint:gosec // only $n placeholders are concatenated; values are parameters
	err := each(ctx, tx, `SELECT id, org_variant_id FROM variants WHERE tenant_id = $1 AND org_variant_id IS NOT NULL AND NOT own_stock
		AND id IN (`+Placeholders(2, len(items))+`)`, args, func(rows *sql.Rows) error {
		var v, o string
		err := rows.Scan(&v, &o)
		shared[v] = o
		return err
	})
	if err != nil || len(shared) == 0 {
		return items, err
	}
	out := slices.Clone(items)
	slices.SortStableFunc(out, func(a, b orders.StockItem) int {
		oa, sa := shared[a.VariantID]
		ob, sb := shared[b.VariantID]
		switch {
		case sa != sb && sa:
			return 1
		case sa != sb:
			return -1
		case sa:
			return strings.Compare(oa, ob)
		}
		return strings.Compare(a.VariantID, b.VariantID)
	})
	return out, nil
}

// stockChanged keeps the products' in-stock flags and bumps the catalog
// version, so cached pages show the new availability. It is called only when
// a variant's availability level changed: why not on every order, the
// version keys every cached page and API document of the tenant, and bumping
// it per order emptied the cache under order load while nothing it shows had
// changed (the in-stock flag changes only at zero, which is a level change).
func stockChanged(ctx context.Context, tx *sql.Tx, tenantID, orderID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := tx.ExecContext(ctx, `UPDATE products SET in_stock = EXISTS (SELECT 1 FROM variants v WHERE v.product_id = products.id AND v.stock > 0)
		WHERE tenant_id = $1 AND id IN (SELECT v.product_id FROM stock_reservations r JOIN variants v ON v.id = r.variant_id WHERE r.order_id = $2)`,
		tenantID, orderID); err != nil {
		return fmt.Errorf("stock flags: %w", err)
	}
	return bumpVersion(ctx, tx, tenantID)
}

// Confirm makes an order's held stock final (the order was paid).
func (s *Stock) Confirm(ctx context.Context, tenantID, orderID string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE stock_reservations SET status = 'confirmed', updated_at = $3
			WHERE order_id = $1 AND tenant_id = $2 AND status = 'held'`, orderID, tenantID, now); err != nil {
			return fmt.Errorf("confirm stock: %w", err)
		}
		return nil
	})
}

// Release puts an order's stock back (cancelled, refunded before shipping,
// or not paid in time). Releasing twice changes nothing the second time.
func (s *Stock) Release(ctx context.Context, tenantID, orderID string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		// Claim the held rows first, in one statement: why, two releases of
		// the same order at once (the expiry job and a cancel) then cannot both
		// give the stock back; the second waits for the first's row locks and
		// finds nothing left to release.
		var held []orders.StockItem
		err := each(ctx, tx, `UPDATE stock_reservations SET status = 'released', updated_at = $3
			WHERE order_id = $1 AND tenant_id = $2 AND status <> 'released' RETURNING variant_id, quantity`,
			[]any{orderID, tenantID, now}, func(rows *sql.Rows) error {
				var it orders.StockItem
				err := rows.Scan(&it.VariantID, &it.Quantity)
				held = append(held, it)
				return err
			})
		if err != nil {
			return fmt.Errorf("release stock: %w", err)
		}
		if len(held) == 0 {
			return nil
		}
		shown := false
		// In the lock order of Reserve, so the two cannot deadlock.
		ordered, err := lockOrder(ctx, tx, tenantID, mergeItems(held))
		if err != nil {
			return fmt.Errorf("release stock: %w", err)
		}
		for _, it := range ordered {
			var back int64
			err := tx.QueryRowContext(ctx, `UPDATE variants SET stock = stock + $1 WHERE id = $2 AND tenant_id = $3
				AND (org_variant_id IS NULL OR own_stock) RETURNING stock`, it.Quantity, it.VariantID, tenantID).Scan(&back)
			if errors.Is(err, sql.ErrNoRows) {
				back, err = takeShared(ctx, tx, tenantID, it.VariantID, it.Quantity)
			}
			if isShortOrMissing(err) {
				continue // the variant was removed from the catalog meanwhile
			}
			if err != nil {
				return fmt.Errorf("release stock: %w", err)
			}
			shown = shown || levelChanged(back-it.Quantity, back)
		}
		// The order's use of a promotion code is given back with its stock.
		if _, err := tx.ExecContext(ctx, `UPDATE promotions SET used = used - 1 WHERE tenant_id = $2 AND used > 0
			AND id IN (SELECT promotion_id FROM promotion_uses WHERE order_id = $1)`, orderID, tenantID); err != nil {
			return fmt.Errorf("release promotion: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM promotion_uses WHERE order_id = $1 AND tenant_id = $2`, orderID, tenantID); err != nil {
			return fmt.Errorf("release promotion: %w", err)
		}
		if !shown {
			return nil
		}
		return stockChanged(ctx, tx, tenantID, orderID)
	})
}

// Expired returns up to limit orders whose held stock expired before now.
func (s *Stock) Expired(ctx context.Context, now time.Time, limit int) ([]orders.ExpiredOrder, error) {
	rows, err := s.db.r.QueryContext(ctx, `SELECT DISTINCT tenant_id, order_id FROM stock_reservations
		WHERE status = 'held' AND expires_at < $1 LIMIT $2`, now, limit)
	if err != nil {
		return nil, fmt.Errorf("expired reservations: %w", err)
	}
	defer rows.Close()
	var out []orders.ExpiredOrder
	for rows.Next() {
		var e orders.ExpiredOrder
		if err := rows.Scan(&e.TenantID, &e.OrderID); err != nil {
			return nil, fmt.Errorf("expired reservations: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// HeldBefore returns, in order id order, up to limit orders after the order
// id after whose stock is still held by a hold made before cutoff.
func (s *Stock) HeldBefore(ctx context.Context, cutoff time.Time, after string, limit int) ([]orders.ExpiredOrder, error) {
	rows, err := s.db.r.QueryContext(ctx, `SELECT DISTINCT tenant_id, order_id FROM stock_reservations
		WHERE status = 'held' AND created_at < $1 AND order_id > $2 ORDER BY order_id LIMIT $3`, cutoff, after, limit)
	if err != nil {
		return nil, fmt.Errorf("held reservations: %w", err)
	}
	defer rows.Close()
	var out []orders.ExpiredOrder
	for rows.Next() {
		var e orders.ExpiredOrder
		if err := rows.Scan(&e.TenantID, &e.OrderID); err != nil {
			return nil, fmt.Errorf("held reservations: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Reserved returns an order's reservation status by variant ("held",
// "confirmed", "released"): what tests check. The order service does not
// need it.
func (s *Stock) Reserved(ctx context.Context, tenantID, orderID string) (map[string]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT variant_id, status FROM stock_reservations WHERE order_id = $1 AND tenant_id = $2`, orderID, tenantID)
	if err != nil {
		return nil, fmt.Errorf("reservations: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var v, st string
		if err := rows.Scan(&v, &st); err != nil {
			return nil, fmt.Errorf("reservations: %w", err)
		}
		out[v] = st
	}
	return out, rows.Err()
}
