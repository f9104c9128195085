package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/reviews"
	"github.com/salvehealth/salve/internal/tenant"
)

// Reviews holds the completed compliance reviews and the reminders sent, in
// the PHI store. It implements reviews.Store.
type Reviews struct{ db *DB }

// NewReviews returns the review queries of a PHI store.
func NewReviews(db *DB) *Reviews { return &Reviews{db: db} }

var _ reviews.Store = (*Reviews)(nil)

const reviewColumns = `id, tenant_id, kind, target, completed_at, completed_by, completed_role, evidence_ct, file_type, file_size`

func scanReviews(rows *sql.Rows) ([]reviews.Completion, error) {
	defer rows.Close()
	var out []reviews.Completion
	for rows.Next() {
		var c reviews.Completion
		var kind, role, ft string
		if err := rows.Scan(&c.ID, &c.TenantID, &kind, &c.Target, &c.CompletedAt, &c.CompletedBy, &role, &c.EvidenceCT, &ft, &c.FileSize); err != nil {
			return nil, fmt.Errorf("reviews: %w", err)
		}
		c.Kind, c.CompletedRole, c.CompletedAt, c.FileType = reviews.Kind(kind), access.Role(role), c.CompletedAt.UTC(), reviews.FileType(ft)
		out = append(out, c)
	}
	return out, rows.Err()
}

// AddCompletion records a completed review.
func (q *Reviews) AddCompletion(ctx context.Context, c reviews.Completion) error {
	ctx = tenant.WithScope(ctx, c.TenantID)
	var file any
	if c.FileType != "" {
		file = c.FileCT
	}
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO review_completions (`+reviewColumns+`, file_ct) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		c.ID, c.TenantID, string(c.Kind), c.Target, c.CompletedAt.UTC(), c.CompletedBy, string(c.CompletedRole), c.EvidenceCT,
		string(c.FileType), c.FileSize, file)
	if err != nil {
		return fmt.Errorf("add review completion: %w", err)
	}
	return nil
}

// Completions returns a tenant's completions, newest first.
func (q *Reviews) Completions(ctx context.Context, tenantID string, limit int) ([]reviews.Completion, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := q.db.r.QueryContext(ctx, `SELECT `+reviewColumns+` FROM review_completions WHERE tenant_id = $1
		ORDER BY completed_at DESC, id DESC LIMIT $2`, tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("review completions: %w", err)
	}
	return scanReviews(rows)
}

// Completion returns one of a tenant's completions.
func (q *Reviews) Completion(ctx context.Context, tenantID, id string) (reviews.Completion, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := q.db.r.QueryContext(ctx, `SELECT `+reviewColumns+` FROM review_completions WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	if err != nil {
		return reviews.Completion{}, fmt.Errorf("review completion: %w", err)
	}
	out, err := scanReviews(rows)
	if err != nil {
		return reviews.Completion{}, err
	}
	if len(out) == 0 {
		return reviews.Completion{}, apperr.NotFoundError()
	}
	return out[0], nil
}

// File returns a completion's sealed evidence file; NotFound when it has
// none (or is another tenant's).
func (q *Reviews) File(ctx context.Context, tenantID, id string) ([]byte, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var ct []byte
	err := q.db.r.QueryRowContext(ctx, `SELECT file_ct FROM review_completions WHERE tenant_id = $1 AND id = $2 AND file_ct IS NOT NULL`,
		tenantID, id).Scan(&ct)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundError()
	}
	if err != nil {
		return nil, fmt.Errorf("review evidence file: %w", err)
	}
	return ct, nil
}

// Latest returns the newest completion of each kind and target. Why in Go
// and not MAX(): an aggregate loses the column's type on SQLite, and a
// tenant's completions are few (a handful a day at most).
func (q *Reviews) Latest(ctx context.Context, tenantID string) (map[string]time.Time, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := q.db.r.QueryContext(ctx, `SELECT kind, target, completed_at FROM review_completions WHERE tenant_id = $1`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("latest reviews: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var kind, target string
		var at time.Time
		if err := rows.Scan(&kind, &target, &at); err != nil {
			return nil, fmt.Errorf("latest reviews: %w", err)
		}
		k := reviews.Key(reviews.Kind(kind), target)
		if at.After(out[k]) {
			out[k] = at.UTC()
		}
	}
	return out, rows.Err()
}

// Remind records a reminder once: the primary key refuses a second, so two
// replicas running the job send it once.
func (q *Reviews) Remind(ctx context.Context, tenantID string, kind reviews.Kind, target, dueOn, stage string, at time.Time) (time.Time, bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var first time.Time
	var fresh bool
	err := q.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO review_reminders (tenant_id, kind, target, due_on, stage, sent_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, tenantID, string(kind), target, dueOn, stage, at.UTC())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		fresh = n == 1
		return tx.QueryRowContext(ctx, `SELECT sent_at FROM review_reminders WHERE tenant_id = $1 AND kind = $2 AND target = $3
			AND due_on = $4 AND stage = $5`, tenantID, string(kind), target, dueOn, stage).Scan(&first)
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("review reminder: %w", err)
	}
	return first.UTC(), fresh, nil
}
