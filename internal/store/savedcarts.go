package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/savedcart"
	"github.com/salvehealth/salve/internal/tenant"
)

// SavedCarts keeps patients' saved carts in the PHI store. It implements
// savedcart.Store.
type SavedCarts struct{ db *DB }

// NewSavedCarts returns the saved cart storage of a PHI store.
func NewSavedCarts(db *DB) *SavedCarts { return &SavedCarts{db: db} }

var _ savedcart.Store = (*SavedCarts)(nil)

// Get returns a person's saved cart, or NotFound when they have none.
func (s *SavedCarts) Get(ctx context.Context, tenantID, userID string) (savedcart.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var r savedcart.Record
	err := s.db.r.QueryRowContext(ctx, `SELECT tenant_id, user_id, items_ct, version, updated_at FROM saved_carts
		WHERE tenant_id = $1 AND user_id = $2`, tenantID, userID).Scan(&r.TenantID, &r.UserID, &r.ItemsCT, &r.Version, &r.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundError()
	}
	if err != nil {
		return r, fmt.Errorf("saved cart: %w", err)
	}
	r.UpdatedAt = r.UpdatedAt.UTC()
	return r, nil
}

// Put stores a saved cart read at version read (0: there was none). When
// another write came first, nothing changes and the error is a Conflict (apperr.ErrStale); read
// below 0 writes whatever is there.
func (s *SavedCarts) Put(ctx context.Context, tenantID, userID string, itemsCT []byte, read int64, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var (
			res sql.Result
			err error
		)
		switch {
		case read < 0:
			res, err = tx.ExecContext(ctx, `INSERT INTO saved_carts (tenant_id, user_id, items_ct, version, updated_at)
				VALUES ($1, $2, $3, 1, $4) ON CONFLICT (tenant_id, user_id)
				DO UPDATE SET items_ct = $3, version = saved_carts.version + 1, updated_at = $4`, tenantID, userID, itemsCT, now)
		case read == 0:
			res, err = tx.ExecContext(ctx, `INSERT INTO saved_carts (tenant_id, user_id, items_ct, version, updated_at)
				VALUES ($1, $2, $3, 1, $4) ON CONFLICT (tenant_id, user_id) DO NOTHING`, tenantID, userID, itemsCT, now)
		default:
			res, err = tx.ExecContext(ctx, `UPDATE saved_carts SET items_ct = $1, version = version + 1, updated_at = $2
				WHERE tenant_id = $3 AND user_id = $4 AND version = $5`, itemsCT, now, tenantID, userID, read)
		}
		if err != nil {
			return fmt.Errorf("put saved cart: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("put saved cart: %w", err)
		} else if n == 0 {
			return apperr.StaleError()
		}
		return nil
	})
}
