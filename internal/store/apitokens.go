package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apitokens"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
)

// APITokens keeps API tokens (their hashes) in the PHI store. It implements
// apitokens.Store.
type APITokens struct{ db *DB }

// NewAPITokens returns the API token storage of a PHI store.
func NewAPITokens(db *DB) *APITokens { return &APITokens{db: db} }

var _ apitokens.Store = (*APITokens)(nil)

const apiTokenColumns = `id, tenant_id, kind, owner_id, role, name, scopes, token_hash, created_at, expires_at, last_used_at, revoked_at` //nolint:gosec // column names, not a credential

func scanAPIToken(row interface{ Scan(...any) error }) (apitokens.Record, error) {
	var r apitokens.Record
	var kind, role, scopes string
	var used, revoked sql.NullTime
	err := row.Scan(&r.ID, &r.TenantID, &kind, &r.OwnerID, &role, &r.Name, &scopes, &r.TokenHash, &r.CreatedAt, &r.ExpiresAt, &used, &revoked)
	r.Kind, r.Role = apitokens.Kind(kind), access.Role(role)
	for _, s := range strings.Fields(scopes) {
		r.Scopes = append(r.Scopes, apitokens.Scope(s))
	}
	r.CreatedAt, r.ExpiresAt = r.CreatedAt.UTC(), r.ExpiresAt.UTC()
	r.LastUsedAt, r.RevokedAt = timeOf(used), timeOf(revoked)
	return r, err
}

// Insert stores a token, refusing past limit active tokens of its owner.
func (s *APITokens) Insert(ctx context.Context, r apitokens.Record, limit int, now time.Time) error {
	ctx = tenant.WithScope(ctx, r.TenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_tokens WHERE tenant_id = $1 AND kind = $2 AND owner_id = $3
			AND revoked_at IS NULL AND expires_at > $4`, r.TenantID, string(r.Kind), r.OwnerID, now.UTC()).Scan(&n); err != nil {
			return fmt.Errorf("count api tokens: %w", err)
		}
		if n >= limit {
			return apperr.New(apperr.Conflict, fmt.Sprintf("There are %d active tokens. Revoke one that is no longer used first.", n))
		}
		scopes := make([]string, len(r.Scopes))
		for i, sc := range r.Scopes {
			scopes[i] = string(sc)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (`+apiTokenColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			r.ID, r.TenantID, string(r.Kind), r.OwnerID, string(r.Role), r.Name, strings.Join(scopes, " "), r.TokenHash,
			r.CreatedAt.UTC(), r.ExpiresAt.UTC(), nullTime(r.LastUsedAt), nullTime(r.RevokedAt)); err != nil {
			return fmt.Errorf("insert api token: %w", err)
		}
		return nil
	})
}

// ByHash returns the token of a hash, or NotFound. Why no cache: a
// revocation must stop the very next request, so every request asks the
// database.
func (s *APITokens) ByHash(ctx context.Context, hash []byte) (apitokens.Record, error) {
	r, err := scanAPIToken(s.db.r.QueryRowContext(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE token_hash = $1`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundError()
	}
	if err != nil {
		return r, fmt.Errorf("api token: %w", err)
	}
	return r, nil
}

// Owned returns the tokens of a kind (and owner, unless empty), newest first.
func (s *APITokens) Owned(ctx context.Context, tenantID string, kind apitokens.Kind, ownerID string) ([]apitokens.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE tenant_id = $1 AND kind = $2
		AND ($3 = '' OR owner_id = $3) ORDER BY created_at DESC, id DESC`, tenantID, string(kind), ownerID)
	if err != nil {
		return nil, fmt.Errorf("api tokens: %w", err)
	}
	defer rows.Close()
	var out []apitokens.Record
	for rows.Next() {
		r, err := scanAPIToken(rows)
		if err != nil {
			return nil, fmt.Errorf("api tokens: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Revoke revokes a token; NotFound when the tenant, kind and owner (unless
// empty) have no such token. Revoking a revoked token changes nothing.
func (s *APITokens) Revoke(ctx context.Context, tenantID string, kind apitokens.Kind, ownerID, tokenID string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	var found string
	err := s.db.w.QueryRowContext(ctx, `SELECT id FROM api_tokens WHERE id = $1 AND tenant_id = $2 AND kind = $3 AND ($4 = '' OR owner_id = $4)`,
		tokenID, tenantID, string(kind), ownerID).Scan(&found)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundError()
	}
	if err != nil {
		return fmt.Errorf("revoke api token: %w", err)
	}
	if _, err := s.db.w.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, now.UTC(), tokenID); err != nil {
		return fmt.Errorf("revoke api token: %w", err)
	}
	return nil
}

// Touch records a token's use.
func (s *APITokens) Touch(ctx context.Context, tokenID string, now time.Time) error {
	if _, err := s.db.w.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, now.UTC(), tokenID); err != nil {
		return fmt.Errorf("touch api token: %w", err)
	}
	return nil
}
