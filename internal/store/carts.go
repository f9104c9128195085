package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/tenant"
)

// Carts keeps browser carts in the catalog store. It implements cart.Store.
// A cart row holds a token hash and the tenant, never a person.
type Carts struct{ db *DB }

// NewCarts returns the cart storage of a catalog store.
func NewCarts(db *DB) *Carts { return &Carts{db: db} }

var _ cart.Store = (*Carts)(nil)

const lineColumns = `v.id, p.id, p.slug, p.name, v.name, v.sku, v.price, v.currency, v.stock, p.requires_prescription, p.hsa_fsa_eligible, p.status, v.price_breaks, v.weight_grams`

func scanLine(rows *sql.Rows, qty bool) (cart.Line, error) {
	var l cart.Line
	var status, breaks string
	dest := []any{&l.VariantID, &l.ProductID, &l.Slug, &l.Name, &l.VariantName, &l.SKU, &l.Price, &l.Currency, &l.Stock,
		&l.RequiresPrescription, &l.HSAFSAEligible, &status, &breaks, &l.WeightGrams}
	if qty {
		dest = append(dest, &l.Quantity)
	}
	if err := rows.Scan(dest...); err != nil {
		return l, err
	}
	l.Active = status == "active"
	bs, err := catalog.ParsePriceBreaks(breaks, false)
	if err != nil {
		return l, err
	}
	l.PriceBreaks = bs
	return l, nil
}

// Variants returns the lines of the variants with the given ids, one query.
func (s *Carts) Variants(ctx context.Context, tenantID string, ids []string) ([]cart.Line, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	args := []any{tenantID}
	for _, v := range ids {
		if id.Valid(v) {
			args = append(args, v)
		}
	}
	if len(args) == 1 {
		return nil, nil
	}
	// Why "v.tenant_id || ''": SQLite, without statistics, would walk the
	// tenant's every variant through the (tenant_id, sku) index and test
	// each against the list (a few hundred rows, a fifth of a millisecond
	// per dashboard view); as an expression the tenant test is only checked
	// on the few rows found by primary key. The tenant is still checked.
	//nolint:gosec // only constant columns and $n placeholders are concatenated; values are parameters
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+lineColumns+` FROM variants v JOIN products p ON p.id = v.product_id
		WHERE v.id IN (`+Placeholders(2, len(args)-1)+`) AND v.tenant_id || '' = $1`, args...)
	if err != nil {
		return nil, fmt.Errorf("cart variants: %w", err)
	}
	defer rows.Close()
	var out []cart.Line
	for rows.Next() {
		l, err := scanLine(rows, false)
		if err != nil {
			return nil, fmt.Errorf("cart variants: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// Lines returns a cart's lines with current prices, one query.
func (s *Carts) Lines(ctx context.Context, tenantID, tokenHash string) ([]cart.Line, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+lineColumns+`, i.quantity FROM cart_items i
		JOIN variants v ON v.id = i.variant_id JOIN products p ON p.id = v.product_id
		WHERE i.tenant_id = $1 AND i.token_hash = $2 ORDER BY i.added_at, v.id`, tenantID, tokenHash)
	if err != nil {
		return nil, fmt.Errorf("cart lines: %w", err)
	}
	defer rows.Close()
	var out []cart.Line
	for rows.Next() {
		l, err := scanLine(rows, true)
		if err != nil {
			return nil, fmt.Errorf("cart lines: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// SetQuantity sets or removes one line, creating the cart on first use.
func (s *Carts) SetQuantity(ctx context.Context, tenantID, tokenHash, variantID string, qty int64, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if qty <= 0 {
			_, err := tx.ExecContext(ctx, `DELETE FROM cart_items WHERE tenant_id = $1 AND token_hash = $2 AND variant_id = $3`,
				tenantID, tokenHash, variantID)
			if err != nil {
				return fmt.Errorf("cart remove: %w", err)
			}
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO carts (token_hash, tenant_id, created_at, updated_at) VALUES ($1, $2, $3, $3)
			ON CONFLICT (token_hash) DO UPDATE SET updated_at = $3`, tokenHash, tenantID, now); err != nil {
			return fmt.Errorf("cart create: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO cart_items (token_hash, tenant_id, variant_id, quantity, added_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (token_hash, variant_id) DO UPDATE SET quantity = $4`,
			tokenHash, tenantID, variantID, qty, now); err != nil {
			return fmt.Errorf("cart set: %w", err)
		}
		return nil
	})
}

// Clear empties a cart.
func (s *Carts) Clear(ctx context.Context, tenantID, tokenHash string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM cart_items WHERE tenant_id = $1 AND token_hash = $2`, tenantID, tokenHash); err != nil {
			return fmt.Errorf("cart clear: %w", err)
		}
		return nil
	})
}

// Replace makes a cart hold exactly items, in one transaction: lines not in
// items go, lines already there keep their place and take the new quantity,
// new lines follow in the order given.
func (s *Carts) Replace(ctx context.Context, tenantID, tokenHash string, items []cart.Item, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		args := []any{tenantID, tokenHash}
		keep := ""
		for _, it := range items {
			args = append(args, it.VariantID)
		}
		if len(items) > 0 {
			keep = ` AND variant_id NOT IN (` + Placeholders(3, len(items)) + `)`
		}
		//nolint:gosec // only constant text and $n placeholders are concatenated; values are parameters
		if _, err := tx.ExecContext(ctx, `DELETE FROM cart_items WHERE tenant_id = $1 AND token_hash = $2`+keep, args...); err != nil {
			return fmt.Errorf("cart replace: %w", err)
		}
		if len(items) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO carts (token_hash, tenant_id, created_at, updated_at) VALUES ($1, $2, $3, $3)
			ON CONFLICT (token_hash) DO UPDATE SET updated_at = $3`, tokenHash, tenantID, now); err != nil {
			return fmt.Errorf("cart create: %w", err)
		}
		for i, it := range items {
			// A microsecond apart (what both engines keep), so new lines
			// list in the order given.
			at := now.Add(time.Duration(i) * time.Microsecond)
			if _, err := tx.ExecContext(ctx, `INSERT INTO cart_items (token_hash, tenant_id, variant_id, quantity, added_at)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (token_hash, variant_id) DO UPDATE SET quantity = $4`,
				tokenHash, tenantID, it.VariantID, it.Quantity, at); err != nil {
				return fmt.Errorf("cart replace: %w", err)
			}
		}
		return nil
	})
}

// Bind marks a cart as a signed-in patient's (creating it): its items are
// also in that patient's saved cart. It records no one.
func (s *Carts) Bind(ctx context.Context, tenantID, tokenHash string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO carts (token_hash, tenant_id, created_at, updated_at, bound) VALUES ($1, $2, $3, $3, TRUE)
			ON CONFLICT (token_hash) DO UPDATE SET bound = TRUE`, tokenHash, tenantID, now); err != nil {
			return fmt.Errorf("cart bind: %w", err)
		}
		return nil
	})
}

// Bound reports whether a cart was bound by Bind; an unknown cart is not.
func (s *Carts) Bound(ctx context.Context, tenantID, tokenHash string) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var b bool
	err := s.db.r.QueryRowContext(ctx, `SELECT bound FROM carts WHERE token_hash = $1 AND tenant_id = $2`, tokenHash, tenantID).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("cart bound: %w", err)
	}
	return b, nil
}
