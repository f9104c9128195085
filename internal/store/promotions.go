package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/promo"
)

// Promotions keeps promotion codes in the catalog store. It implements
// promo.Store.
type Promotions struct{ db *DB }

// NewPromotions returns the promotion codes of a catalog store.
func NewPromotions(db *DB) *Promotions { return &Promotions{db: db} }

var _ promo.Store = (*Promotions)(nil)

// Create stores a new, validated promotion; a code taken in the tenant is
// an Invalid error on the code field.
func (s *Promotions) Create(ctx context.Context, p *promo.Promotion) error {
	var ends any
	if !p.EndsAt.IsZero() {
		ends = p.EndsAt
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO promotions (id, tenant_id, code, kind, value, currency, min_quantity, starts_at, ends_at,
			usage_limit, used, created_at, target_kind, target_code) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $13)`,
			p.ID, p.TenantID, p.Code, p.Kind, p.Value, p.Currency, p.MinQuantity, p.StartsAt, ends, p.UsageLimit, p.CreatedAt, p.Target.Kind, p.Target.Code)
		if isUniqueViolation(err) {
			return apperr.InvalidFields("Check the highlighted fields.", map[string]string{"code": "This code exists already."})
		}
		if err != nil {
			return fmt.Errorf("create promotion: %w", err)
		}
		return nil
	})
}

// ByCode returns a tenant's promotion by its code, or promo.ErrUnknown.
func (s *Promotions) ByCode(ctx context.Context, tenantID, code string) (*promo.Promotion, error) {
	var p promo.Promotion
	var ends sql.NullTime
	err := s.db.r.QueryRowContext(ctx, `SELECT id, tenant_id, code, kind, value, currency, min_quantity, starts_at, ends_at, usage_limit, used, created_at, target_kind, target_code
		FROM promotions WHERE tenant_id = $1 AND code = $2`, tenantID, promo.NormalizeCode(code)).Scan(&p.ID, &p.TenantID, &p.Code, &p.Kind,
		&p.Value, &p.Currency, &p.MinQuantity, &p.StartsAt, &ends, &p.UsageLimit, &p.Used, &p.CreatedAt, &p.Target.Kind, &p.Target.Code)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, promo.ErrUnknown()
	}
	if err != nil {
		return nil, fmt.Errorf("promotion: %w", err)
	}
	p.StartsAt, p.CreatedAt = p.StartsAt.UTC(), p.CreatedAt.UTC()
	if ends.Valid {
		p.EndsAt = ends.Time.UTC()
	}
	return &p, nil
}

// List returns a tenant's promotions, newest first.
func (s *Promotions) List(ctx context.Context, tenantID string) ([]promo.Promotion, error) {
	rows, err := s.db.r.QueryContext(ctx, `SELECT id, tenant_id, code, kind, value, currency, min_quantity, starts_at, ends_at, usage_limit, used, created_at, target_kind, target_code
		FROM promotions WHERE tenant_id = $1 ORDER BY created_at DESC, code`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("promotions: %w", err)
	}
	defer rows.Close()
	var out []promo.Promotion
	for rows.Next() {
		var p promo.Promotion
		var ends sql.NullTime
		if err := rows.Scan(&p.ID, &p.TenantID, &p.Code, &p.Kind, &p.Value, &p.Currency, &p.MinQuantity, &p.StartsAt, &ends,
			&p.UsageLimit, &p.Used, &p.CreatedAt, &p.Target.Kind, &p.Target.Code); err != nil {
			return nil, fmt.Errorf("promotions: %w", err)
		}
		p.StartsAt, p.CreatedAt = p.StartsAt.UTC(), p.CreatedAt.UTC()
		if ends.Valid {
			p.EndsAt = ends.Time.UTC()
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
