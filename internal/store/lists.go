package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/lists"
	"github.com/salvehealth/salve/internal/tenant"
)

// Lists keeps wish and shopping lists in the PHI store. It implements
// lists.Store.
type Lists struct{ db *DB }

// NewLists returns the list storage of a PHI store.
func NewLists(db *DB) *Lists { return &Lists{db: db} }

var _ lists.Store = (*Lists)(nil)

const listColumns = `id, tenant_id, user_id, kind, name_ct, items_ct, created_at, updated_at`

// listSelect is listColumns as a SELECT list: the timestamps read as text on
// SQLite (COALESCE(col, NULL): texttime.go), which scanList parses.
const listSelect = `id, tenant_id, user_id, kind, name_ct, items_ct, COALESCE(created_at, NULL), COALESCE(updated_at, NULL)`

// listOwnedSelect is listSelect without the tenant and owner, for ByOwner,
// whose WHERE names both: it sets them from its arguments (see
// orderOwnedColumns why).
const listOwnedSelect = `id, kind, name_ct, items_ct, COALESCE(created_at, NULL), COALESCE(updated_at, NULL)`

func scanList(row interface{ Scan(...any) error }) (lists.Record, error) {
	var l lists.Record
	err := row.Scan(&l.ID, &l.TenantID, &l.UserID, &l.Kind, &l.NameCT, &l.ItemsCT, timeScan{&l.CreatedAt}, timeScan{&l.UpdatedAt})
	return l, err
}

// ByOwner returns a person's lists, the wish list first, then by creation.
func (s *Lists) ByOwner(ctx context.Context, tenantID, userID string) ([]lists.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+listOwnedSelect+` FROM lists WHERE tenant_id = $1 AND user_id = $2
		ORDER BY CASE WHEN kind = 'wish' THEN 0 ELSE 1 END, created_at, id`, tenantID, userID)
	if err != nil {
		return nil, fmt.Errorf("lists: %w", err)
	}
	defer rows.Close()
	var out []lists.Record
	for rows.Next() {
		l := lists.Record{TenantID: tenantID, UserID: userID}
		err := rows.Scan(&l.ID, &l.Kind, &l.NameCT, &l.ItemsCT, timeScan{&l.CreatedAt}, timeScan{&l.UpdatedAt})
		if err != nil {
			return nil, fmt.Errorf("lists: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// ByID returns a list of a tenant, or NotFound.
func (s *Lists) ByID(ctx context.Context, tenantID, listID string) (lists.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	l, err := scanList(s.db.r.QueryRowContext(ctx, `SELECT `+listSelect+` FROM lists WHERE id = $1 AND tenant_id = $2`, listID, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return l, apperr.NotFoundError()
	}
	if err != nil {
		return l, fmt.Errorf("list: %w", err)
	}
	return l, nil
}

// Insert stores a new list; a second wish list is a Conflict (apperr.ErrDuplicate).
func (s *Lists) Insert(ctx context.Context, l lists.Record) error {
	ctx = tenant.WithScope(ctx, l.TenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO lists (`+listColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			l.ID, l.TenantID, l.UserID, l.Kind, l.NameCT, l.ItemsCT, l.CreatedAt, l.UpdatedAt)
		if isUniqueViolation(err) {
			return apperr.DuplicateError("a wish list")
		}
		if err != nil {
			return fmt.Errorf("insert list: %w", err)
		}
		return nil
	})
}

// SetItems replaces a list's sealed items.
func (s *Lists) SetItems(ctx context.Context, tenantID, listID string, itemsCT []byte, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE lists SET items_ct = $1, updated_at = $2 WHERE id = $3 AND tenant_id = $4`,
			itemsCT, now, listID, tenantID); err != nil {
			return fmt.Errorf("list items: %w", err)
		}
		return nil
	})
}
