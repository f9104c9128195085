package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
)

// Tokens holds the one-time tokens of the PHI store (emailed links, and a
// pending authenticator's secret): only their hashes.
type Tokens struct{ db *DB }

// NewTokens returns the token queries of a PHI store.
func NewTokens(db *DB) *Tokens { return &Tokens{db: db} }

var _ accounts.Tokens = (*Tokens)(nil)

// Insert stores a one-time token, replacing earlier unused tokens of the
// same user and purpose (only the newest link works).
func (q *Tokens) Insert(ctx context.Context, t accounts.Token) error {
	ctx = tenant.WithScope(ctx, t.TenantID)
	return q.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM auth_tokens WHERE user_id = $1 AND purpose = $2`, t.UserID, t.Purpose); err != nil {
			return fmt.Errorf("drop tokens: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO auth_tokens (hash, tenant_id, user_id, purpose, data, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, t.Hash, t.TenantID, t.UserID, t.Purpose, t.Data, t.CreatedAt, t.ExpiresAt); err != nil {
			return fmt.Errorf("insert token: %w", err)
		}
		return nil
	})
}

// Use spends a token of a purpose in a tenant: it must exist, be unused and
// unexpired. Atomic, so a token works once however many requests race.
func (q *Tokens) Use(ctx context.Context, tenantID, hash, purpose string, now time.Time) (accounts.Token, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var t accounts.Token
	err := q.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT hash, tenant_id, user_id, purpose, data, created_at, expires_at FROM auth_tokens
			WHERE hash = $1 AND tenant_id = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $4`, hash, tenantID, purpose, now).
			Scan(&t.Hash, &t.TenantID, &t.UserID, &t.Purpose, &t.Data, &t.CreatedAt, &t.ExpiresAt)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundError()
		}
		if err != nil {
			return fmt.Errorf("find token: %w", err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE auth_tokens SET used_at = $2 WHERE hash = $1 AND used_at IS NULL`, hash, now)
		if err != nil {
			return fmt.Errorf("use token: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.NotFoundError()
		}
		return nil
	})
	t.CreatedAt, t.ExpiresAt = t.CreatedAt.UTC(), t.ExpiresAt.UTC()
	return t, err
}

// Peek finds a token like Use without spending it.
func (q *Tokens) Peek(ctx context.Context, tenantID, hash, purpose string, now time.Time) (accounts.Token, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var t accounts.Token
	err := q.db.r.QueryRowContext(ctx, `SELECT hash, tenant_id, user_id, purpose, data, created_at, expires_at FROM auth_tokens
		WHERE hash = $1 AND tenant_id = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $4`, hash, tenantID, purpose, now).
		Scan(&t.Hash, &t.TenantID, &t.UserID, &t.Purpose, &t.Data, &t.CreatedAt, &t.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return accounts.Token{}, apperr.NotFoundError()
	}
	if err != nil {
		return accounts.Token{}, fmt.Errorf("find token: %w", err)
	}
	return t, nil
}
