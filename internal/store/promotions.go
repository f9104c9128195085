package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/tenant"
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
	ctx = tenant.WithScope(ctx, p.TenantID)
	var ends any
	if !p.EndsAt.IsZero() {
		ends = p.EndsAt
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO promotions (id, tenant_id, code, kind, value, currency, min_quantity, starts_at, ends_at,
			usage_limit, used, created_at, target_kind, target_code, paused) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $13, $14)`,
			p.ID, p.TenantID, p.Code, p.Kind, p.Value, p.Currency, p.MinQuantity, p.StartsAt, ends, p.UsageLimit, p.CreatedAt, p.Target.Kind, p.Target.Code, p.Paused)
		if isUniqueViolation(err) {
			return apperr.InvalidFields("Check the highlighted fields.", map[string]string{"code": "This code exists already."})
		}
		if err != nil {
			return fmt.Errorf("create promotion: %w", err)
		}
		return nil
	})
}

const promotionColumns = `id, tenant_id, code, kind, value, currency, min_quantity, starts_at, ends_at, usage_limit, used, created_at,
	target_kind, target_code, paused`

func scanPromotion(row rowScanner) (*promo.Promotion, error) {
	var p promo.Promotion
	var ends sql.NullTime
	if err := row.Scan(&p.ID, &p.TenantID, &p.Code, &p.Kind, &p.Value, &p.Currency, &p.MinQuantity, &p.StartsAt, &ends,
		&p.UsageLimit, &p.Used, &p.CreatedAt, &p.Target.Kind, &p.Target.Code, &p.Paused); err != nil {
		return nil, err
	}
	p.StartsAt, p.CreatedAt = p.StartsAt.UTC(), p.CreatedAt.UTC()
	if ends.Valid {
		p.EndsAt = ends.Time.UTC()
	}
	return &p, nil
}

// ByCode returns a tenant's promotion by its code, or promo.ErrUnknown.
func (s *Promotions) ByCode(ctx context.Context, tenantID, code string) (*promo.Promotion, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	p, err := scanPromotion(s.db.r.QueryRowContext(ctx, `SELECT `+promotionColumns+`
		FROM promotions WHERE tenant_id = $1 AND code = $2`, tenantID, promo.NormalizeCode(code)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, promo.ErrUnknown()
	}
	if err != nil {
		return nil, fmt.Errorf("promotion: %w", err)
	}
	return p, nil
}

// Get returns a tenant's promotion by id with the discount its uses gave;
// another tenant's or an unknown id is NotFound.
func (s *Promotions) Get(ctx context.Context, tenantID, id string) (*promo.Promotion, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	p, err := scanPromotion(s.db.r.QueryRowContext(ctx, `SELECT `+promotionColumns+`
		FROM promotions WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundError()
	}
	if err != nil {
		return nil, fmt.Errorf("promotion: %w", err)
	}
	given, err := s.given(ctx, tenantID, id)
	if err != nil {
		return nil, err
	}
	p.Given = given[id]
	return p, nil
}

// List returns a tenant's promotions, newest first, with the discount each
// one's uses gave.
func (s *Promotions) List(ctx context.Context, tenantID string) ([]promo.Promotion, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+promotionColumns+`
		FROM promotions WHERE tenant_id = $1 ORDER BY created_at DESC, code`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("promotions: %w", err)
	}
	defer rows.Close()
	var out []promo.Promotion
	for rows.Next() {
		p, err := scanPromotion(rows)
		if err != nil {
			return nil, fmt.Errorf("promotions: %w", err)
		}
		out = append(out, *p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("promotions: %w", err)
	}
	given, err := s.given(ctx, tenantID, "")
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Given = given[out[i].ID]
	}
	return out, nil
}

// given sums the discount of a tenant's promotion uses per promotion and
// currency (one promotion's when id is set).
func (s *Promotions) given(ctx context.Context, tenantID, id string) (map[string][]promo.Amount, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	q, args := `SELECT promotion_id, currency, SUM(discount) FROM promotion_uses WHERE tenant_id = $1`, []any{tenantID}
	if id != "" {
		q, args = q+` AND promotion_id = $2`, append(args, id)
	}
	rows, err := s.db.r.QueryContext(ctx, q+` GROUP BY promotion_id, currency ORDER BY promotion_id, currency`, args...)
	if err != nil {
		return nil, fmt.Errorf("promotion uses: %w", err)
	}
	defer rows.Close()
	out := map[string][]promo.Amount{}
	for rows.Next() {
		var pid string
		var a promo.Amount
		if err := rows.Scan(&pid, &a.Currency, &a.Minor); err != nil {
			return nil, fmt.Errorf("promotion uses: %w", err)
		}
		out[pid] = append(out[pid], a)
	}
	return out, rows.Err()
}

// Update saves a promotion's rules; the code, the uses and the pause stay.
// The limit is checked against the uses in the same statement, so a use
// made meanwhile cannot leave the code above its new limit.
func (s *Promotions) Update(ctx context.Context, p *promo.Promotion) error {
	ctx = tenant.WithScope(ctx, p.TenantID)
	var ends any
	if !p.EndsAt.IsZero() {
		ends = p.EndsAt
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE promotions SET kind = $3, value = $4, currency = $5, min_quantity = $6, starts_at = $7,
			ends_at = $8, usage_limit = $9, target_kind = $10, target_code = $11
			WHERE tenant_id = $1 AND id = $2 AND ($9 = 0 OR used <= $9)`,
			p.TenantID, p.ID, p.Kind, p.Value, p.Currency, p.MinQuantity, p.StartsAt, ends, p.UsageLimit, p.Target.Kind, p.Target.Code)
		if err != nil {
			return fmt.Errorf("update promotion: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		var used int64
		err = tx.QueryRowContext(ctx, `SELECT used FROM promotions WHERE tenant_id = $1 AND id = $2`, p.TenantID, p.ID).Scan(&used)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundError()
		}
		if err != nil {
			return fmt.Errorf("update promotion: %w", err)
		}
		return apperr.InvalidFields("Check the highlighted fields.", map[string]string{
			"usage_limit": fmt.Sprintf("%d orders have used it already: the limit cannot be lower.", used)})
	})
}

// SetPaused pauses or resumes a promotion.
func (s *Promotions) SetPaused(ctx context.Context, tenantID, id string, paused bool) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE promotions SET paused = $3 WHERE tenant_id = $1 AND id = $2`, tenantID, id, paused)
		return one(res, err, "pause promotion")
	})
}

// End makes a promotion stop at now; one that ended already keeps its end.
// A code that had not started yet starts and ends at now, so its window
// stays a window.
func (s *Promotions) End(ctx context.Context, tenantID, id string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM promotions WHERE tenant_id = $1 AND id = $2`, tenantID, id).Scan(&n); err != nil {
			return fmt.Errorf("end promotion: %w", err)
		}
		if n == 0 {
			return apperr.NotFoundError()
		}
		if _, err := tx.ExecContext(ctx, `UPDATE promotions SET ends_at = $3,
			starts_at = CASE WHEN starts_at > $3 THEN $3 ELSE starts_at END
			WHERE tenant_id = $1 AND id = $2 AND (ends_at IS NULL OR ends_at > $3)`, tenantID, id, now); err != nil {
			return fmt.Errorf("end promotion: %w", err)
		}
		return nil
	})
}

// one turns an UPDATE's result into nil when it changed one row and
// NotFound when it changed none.
func one(res sql.Result, err error, what string) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return apperr.NotFoundError()
	}
	return nil
}
