package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/tenant"
)

// Changes holds the setting change requests and records of the PHI store.
// It implements changes.Store.
type Changes struct{ db *DB }

// NewChanges returns the change queries of a PHI store.
func NewChanges(db *DB) *Changes { return &Changes{db: db} }

var _ changes.Store = (*Changes)(nil)

const changeCols = `id, tenant_id, kind, target, before_json, after_json, payload_json, reason, requested_by, requested_role,
	requested_at, status, decided_by, decided_role, decided_at, note`

func encodeFields(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m) // a map of strings always marshals
	return string(b)
}

func decodeFields(s string) (map[string]string, error) {
	m := map[string]string{}
	if s == "" {
		return m, nil
	}
	return m, json.Unmarshal([]byte(s), &m)
}

// Add stores a change.
func (q *Changes) Add(ctx context.Context, c changes.Change) error {
	ctx = tenant.WithScope(ctx, c.TenantID)
	var decided any
	if !c.DecidedAt.IsZero() {
		decided = c.DecidedAt
	}
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO setting_changes (`+changeCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		c.ID, c.TenantID, c.Kind, c.Target, encodeFields(c.Before), encodeFields(c.After), encodeFields(c.Payload), c.Reason,
		c.RequestedBy, string(c.RequestedRole), c.RequestedAt, string(c.Status), c.DecidedBy, string(c.DecidedRole), decided, c.Note)
	if err != nil {
		return fmt.Errorf("add setting change: %w", err)
	}
	return nil
}

type rowScanner interface{ Scan(dest ...any) error }

func scanChange(r rowScanner) (changes.Change, error) {
	var (
		c                        changes.Change
		before, after, payload   string
		reqRole, status, decRole string
		decided                  sql.NullTime
	)
	if err := r.Scan(&c.ID, &c.TenantID, &c.Kind, &c.Target, &before, &after, &payload, &c.Reason, &c.RequestedBy, &reqRole,
		&c.RequestedAt, &status, &c.DecidedBy, &decRole, &decided, &c.Note); err != nil {
		return c, err
	}
	var err error
	if c.Before, err = decodeFields(before); err != nil {
		return c, fmt.Errorf("setting change %s before: %w", c.ID, err)
	}
	if c.After, err = decodeFields(after); err != nil {
		return c, fmt.Errorf("setting change %s after: %w", c.ID, err)
	}
	if c.Payload, err = decodeFields(payload); err != nil {
		return c, fmt.Errorf("setting change %s payload: %w", c.ID, err)
	}
	c.RequestedRole, c.Status, c.DecidedRole = access.Role(reqRole), changes.Status(status), access.Role(decRole)
	c.RequestedAt = c.RequestedAt.UTC()
	if decided.Valid {
		c.DecidedAt = decided.Time.UTC()
	}
	return c, nil
}

// Get returns one of a tenant's changes; another tenant's is NotFound.
func (q *Changes) Get(ctx context.Context, tenantID, changeID string) (changes.Change, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	c, err := scanChange(q.db.r.QueryRowContext(ctx, `SELECT `+changeCols+` FROM setting_changes WHERE tenant_id = $1 AND id = $2`,
		tenantID, changeID))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFoundError()
	}
	if err != nil {
		return c, fmt.Errorf("setting change: %w", err)
	}
	return c, nil
}

// Decide moves a pending change to its decision; false if it was no longer
// pending. The payload goes: a decided change keeps only its record.
func (q *Changes) Decide(ctx context.Context, c changes.Change) (bool, error) {
	ctx = tenant.WithScope(ctx, c.TenantID)
	res, err := q.db.w.ExecContext(ctx, `UPDATE setting_changes SET status = $1, decided_by = $2, decided_role = $3, decided_at = $4,
		note = $5, before_json = $6, payload_json = CASE WHEN $1 = 'applied' THEN payload_json ELSE '' END
		WHERE tenant_id = $7 AND id = $8 AND status = 'pending'`,
		string(c.Status), c.DecidedBy, string(c.DecidedRole), c.DecidedAt, c.Note, encodeFields(c.Before), c.TenantID, c.ID)
	if err != nil {
		return false, fmt.Errorf("decide setting change: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SetStatus records the outcome of applying an approved change, and drops
// its payload.
func (q *Changes) SetStatus(ctx context.Context, tenantID, changeID string, s changes.Status, note string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	_, err := q.db.w.ExecContext(ctx, `UPDATE setting_changes SET status = $1, note = CASE WHEN $2 = '' THEN note ELSE $2 END, payload_json = ''
		WHERE tenant_id = $3 AND id = $4`, string(s), note, tenantID, changeID)
	if err != nil {
		return fmt.Errorf("setting change status: %w", err)
	}
	return nil
}

// List returns a tenant's changes and the installation's, newest first.
func (q *Changes) List(ctx context.Context, tenantID string, limit int) ([]changes.Change, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := q.db.r.QueryContext(ctx, `SELECT `+changeCols+` FROM setting_changes WHERE tenant_id = $1 OR tenant_id = ''
		ORDER BY requested_at DESC, id DESC LIMIT $2`, tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("setting changes: %w", err)
	}
	defer rows.Close()
	var out []changes.Change
	for rows.Next() {
		c, err := scanChange(rows)
		if err != nil {
			return nil, fmt.Errorf("setting changes: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// LastOf returns the newest change of a kind.
func (q *Changes) LastOf(ctx context.Context, tenantID, kind string) (changes.Change, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	c, err := scanChange(q.db.r.QueryRowContext(ctx, `SELECT `+changeCols+` FROM setting_changes WHERE tenant_id = $1 AND kind = $2
		ORDER BY requested_at DESC, id DESC LIMIT 1`, tenantID, kind))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFoundError()
	}
	if err != nil {
		return c, fmt.Errorf("last setting change: %w", err)
	}
	return c, nil
}
