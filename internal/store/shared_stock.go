package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/salvehealth/salve/internal/tenant"
)

// takeShared moves the stock of a brand's copy of an organisation variant
// (docs/white-label.md, "A shared catalog"): the count lives once, on the
// organisation's variant (one warehouse), so an order in any brand takes it
// once, and every brand's copy is given the new count, except the copies on
// a brand's own stock, which keep theirs. delta is negative to
// take, positive to give back. It returns the count after, or sql.ErrNoRows
// when the variant is no copy of the tenant's, or a take would go below zero.
//
// When the public level changes (catalog.AvailabilityOf), every brand
// selling the variant gets its in-stock flags kept and its catalog version
// bumped, so no brand's cached page shows stale availability.
func takeShared(ctx context.Context, tx *sql.Tx, tenantID, variantID string, delta int64) (int64, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var orgVariant sql.NullString
	var own bool
	err := tx.QueryRowContext(ctx, `SELECT org_variant_id, own_stock FROM variants WHERE id = $1 AND tenant_id = $2`, variantID, tenantID).Scan(&orgVariant, &own)
	if err != nil {
		return 0, err
	}
	if !orgVariant.Valid || own {
		// Not a copy, or a copy on the brand's own stock that ran short:
		// never the organisation's stock.
		return 0, sql.ErrNoRows
	}
	var after int64
	// The same conditional UPDATE as for a brand's own stock: check and
	// change in one statement, so two brands' buyers of the last unit cannot
	// both get it.
	err = tx.QueryRowContext(ctx, `UPDATE org_variants SET stock = stock + $1 WHERE id = $2 AND stock + $1 >= 0 RETURNING stock`,
		delta, orgVariant.String).Scan(&after)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE variants SET stock = $1 WHERE org_variant_id = $2 AND NOT own_stock`, after, orgVariant.String); err != nil {
		return 0, fmt.Errorf("shared stock: %w", err)
	}
	if !levelChanged(after-delta, after) {
		return after, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE products SET in_stock = EXISTS (SELECT 1 FROM variants v WHERE v.product_id = products.id AND v.stock > 0)
		WHERE id IN (SELECT product_id FROM variants WHERE org_variant_id = $1)`, orgVariant.String); err != nil {
		return 0, fmt.Errorf("shared stock flags: %w", err)
	}
	var brands []string
	err = each(ctx, tx, `SELECT DISTINCT tenant_id FROM variants WHERE org_variant_id = $1 ORDER BY tenant_id`, []any{orgVariant.String}, func(rows *sql.Rows) error {
		var b string
		err := rows.Scan(&b)
		brands = append(brands, b)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("shared stock brands: %w", err)
	}
	for _, b := range brands {
		if err := bumpVersion(ctx, tx, b); err != nil {
			return 0, err
		}
	}
	return after, nil
}

// isShortOrMissing reports a take that found no row: not enough stock, or
// no such variant.
func isShortOrMissing(err error) bool { return errors.Is(err, sql.ErrNoRows) }
