package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/apitokens"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/oauth"
	"github.com/salvehealth/salve/internal/tenant"
)

// OAuth keeps the authorization server's clients, codes, grants and token
// hashes in the PHI store. It implements oauth.Store.
type OAuth struct{ db *DB }

// NewOAuth returns the OAuth storage of a PHI store.
func NewOAuth(db *DB) *OAuth { return &OAuth{db: db} }

var _ oauth.Store = (*OAuth)(nil)

func scopesOf(s string) []apitokens.Scope {
	var out []apitokens.Scope
	for _, f := range strings.Fields(s) {
		out = append(out, apitokens.Scope(f))
	}
	return out
}

const oauthClientColumns = `id, tenant_id, name, redirect_uris, scopes, created_at, disabled_at`

func scanOAuthClient(row interface{ Scan(...any) error }) (oauth.Client, error) {
	var c oauth.Client
	var uris, scopes string
	var disabled sql.NullTime
	err := row.Scan(&c.ID, &c.TenantID, &c.Name, &uris, &scopes, &c.CreatedAt, &disabled)
	c.RedirectURIs, c.Scopes = strings.Fields(uris), scopesOf(scopes)
	c.CreatedAt, c.DisabledAt = c.CreatedAt.UTC(), timeOf(disabled)
	return c, err
}

// PutClient inserts or replaces a client.
func (s *OAuth) PutClient(ctx context.Context, c oauth.Client) error {
	ctx = tenant.WithScope(ctx, c.TenantID)
	_, err := s.db.w.ExecContext(ctx, `INSERT INTO oauth_clients (`+oauthClientColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, redirect_uris = excluded.redirect_uris, scopes = excluded.scopes,
		disabled_at = excluded.disabled_at WHERE oauth_clients.tenant_id = excluded.tenant_id`,
		c.ID, c.TenantID, c.Name, strings.Join(c.RedirectURIs, " "), oauth.ScopeString(c.Scopes), c.CreatedAt.UTC(), nullTime(c.DisabledAt))
	if err != nil {
		return fmt.Errorf("put oauth client: %w", err)
	}
	return nil
}

// Client returns a tenant's client, or NotFound.
func (s *OAuth) Client(ctx context.Context, tenantID, clientID string) (oauth.Client, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	c, err := scanOAuthClient(s.db.r.QueryRowContext(ctx, `SELECT `+oauthClientColumns+` FROM oauth_clients WHERE id = $1 AND tenant_id = $2`,
		clientID, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFoundError()
	}
	if err != nil {
		return c, fmt.Errorf("oauth client: %w", err)
	}
	return c, nil
}

// Clients returns a tenant's clients, newest first.
func (s *OAuth) Clients(ctx context.Context, tenantID string) ([]oauth.Client, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+oauthClientColumns+` FROM oauth_clients WHERE tenant_id = $1 ORDER BY created_at DESC, id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("oauth clients: %w", err)
	}
	defer rows.Close()
	var out []oauth.Client
	for rows.Next() {
		c, err := scanOAuthClient(rows)
		if err != nil {
			return nil, fmt.Errorf("oauth clients: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AddCode stores an authorization code.
func (s *OAuth) AddCode(ctx context.Context, c oauth.Code) error {
	ctx = tenant.WithScope(ctx, c.TenantID)
	_, err := s.db.w.ExecContext(ctx, `INSERT INTO oauth_codes (code_hash, tenant_id, client_id, user_id, grant_id, redirect_uri, challenge, scopes,
		created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		c.Hash, c.TenantID, c.ClientID, c.UserID, c.GrantID, c.RedirectURI, c.Challenge, oauth.ScopeString(c.Scopes), c.CreatedAt.UTC(), c.ExpiresAt.UTC())
	if err != nil {
		return fmt.Errorf("add oauth code: %w", err)
	}
	return nil
}

// UseCode marks a code used and returns it. Why the conditional update
// decides: two exchanges of one code at once both read it unused, and only
// the one whose update changed the row gets tokens.
func (s *OAuth) UseCode(ctx context.Context, hash []byte, now time.Time) (oauth.Code, bool, error) {
	var c oauth.Code
	var scopes string
	err := s.db.w.QueryRowContext(ctx, `SELECT code_hash, tenant_id, client_id, user_id, grant_id, redirect_uri, challenge, scopes, created_at, expires_at
		FROM oauth_codes WHERE code_hash = $1`, hash).Scan(&c.Hash, &c.TenantID, &c.ClientID, &c.UserID, &c.GrantID, &c.RedirectURI, &c.Challenge,
		&scopes, &c.CreatedAt, &c.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, apperr.NotFoundError()
	}
	if err != nil {
		return c, false, fmt.Errorf("oauth code: %w", err)
	}
	c.Scopes, c.CreatedAt, c.ExpiresAt = scopesOf(scopes), c.CreatedAt.UTC(), c.ExpiresAt.UTC()
	res, err := s.db.w.ExecContext(ctx, `UPDATE oauth_codes SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL`, now.UTC(), hash)
	if err != nil {
		return c, false, fmt.Errorf("use oauth code: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return c, false, fmt.Errorf("use oauth code: %w", err)
	}
	return c, n == 1, nil
}

// Issue stores a new grant (unless nil) and tokens in one transaction.
func (s *OAuth) Issue(ctx context.Context, g *oauth.Grant, tokens ...oauth.Token) error {
	// g is nil on a refresh: the tokens carry the grant's tenant.
	switch {
	case g != nil:
		ctx = tenant.WithScope(ctx, g.TenantID)
	case len(tokens) > 0:
		ctx = tenant.WithScope(ctx, tokens[0].TenantID)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if g != nil {
			if _, err := tx.ExecContext(ctx, `INSERT INTO oauth_grants (id, tenant_id, client_id, user_id, scopes, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
				g.ID, g.TenantID, g.ClientID, g.UserID, oauth.ScopeString(g.Scopes), g.CreatedAt.UTC()); err != nil {
				return fmt.Errorf("add oauth grant: %w", err)
			}
		}
		for _, t := range tokens {
			if _, err := tx.ExecContext(ctx, `INSERT INTO oauth_tokens (token_hash, grant_id, tenant_id, kind, scopes, created_at, expires_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, t.Hash, t.GrantID, t.TenantID, string(t.Kind), oauth.ScopeString(t.Scopes),
				t.CreatedAt.UTC(), t.ExpiresAt.UTC()); err != nil {
				return fmt.Errorf("add oauth token: %w", err)
			}
		}
		return nil
	})
}

// Token returns a token with its grant's and client's state, or NotFound.
// Why no cache: a revocation must stop the very next request.
func (s *OAuth) Token(ctx context.Context, hash []byte) (oauth.Token, error) {
	var t oauth.Token
	var kind, scopes string
	var used, revoked, grantRevoked, grantUsed, disabled sql.NullTime
	err := s.db.r.QueryRowContext(ctx, `SELECT t.token_hash, t.grant_id, t.tenant_id, t.kind, t.scopes, t.created_at, t.expires_at, t.used_at, t.revoked_at,
		g.client_id, g.user_id, g.revoked_at, g.last_used_at, c.disabled_at
		FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id JOIN oauth_clients c ON c.id = g.client_id AND c.tenant_id = g.tenant_id
		WHERE t.token_hash = $1`, hash).Scan(&t.Hash, &t.GrantID, &t.TenantID, &kind, &scopes, &t.CreatedAt, &t.ExpiresAt, &used, &revoked,
		&t.ClientID, &t.UserID, &grantRevoked, &grantUsed, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return t, apperr.NotFoundError()
	}
	if err != nil {
		return t, fmt.Errorf("oauth token: %w", err)
	}
	t.Kind, t.Scopes = oauth.TokenKind(kind), scopesOf(scopes)
	t.CreatedAt, t.ExpiresAt = t.CreatedAt.UTC(), t.ExpiresAt.UTC()
	t.UsedAt, t.RevokedAt, t.GrantLastUsed = timeOf(used), timeOf(revoked), timeOf(grantUsed)
	t.GrantRevoked, t.ClientDisabled = grantRevoked.Valid, disabled.Valid
	return t, nil
}

// UseRefresh marks a refresh token used; false when it already was (the
// conditional update decides between two refreshes at once).
func (s *OAuth) UseRefresh(ctx context.Context, hash []byte, now time.Time) (bool, error) {
	res, err := s.db.w.ExecContext(ctx, `UPDATE oauth_tokens SET used_at = $1 WHERE token_hash = $2 AND kind = 'refresh' AND used_at IS NULL`, now.UTC(), hash)
	if err != nil {
		return false, fmt.Errorf("use refresh token: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("use refresh token: %w", err)
	}
	return n == 1, nil
}

// RevokeToken revokes one token.
func (s *OAuth) RevokeToken(ctx context.Context, hash []byte, now time.Time) error {
	if _, err := s.db.w.ExecContext(ctx, `UPDATE oauth_tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL`, now.UTC(), hash); err != nil {
		return fmt.Errorf("revoke oauth token: %w", err)
	}
	return nil
}

// RevokeGrant revokes a grant; NotFound when the tenant (and user, unless
// empty) has none of that id. Revoking a revoked grant changes nothing.
func (s *OAuth) RevokeGrant(ctx context.Context, tenantID, userID, grantID string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	var found string
	err := s.db.w.QueryRowContext(ctx, `SELECT id FROM oauth_grants WHERE id = $1 AND tenant_id = $2 AND ($3 = '' OR user_id = $3)`,
		grantID, tenantID, userID).Scan(&found)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundError()
	}
	if err != nil {
		return fmt.Errorf("revoke oauth grant: %w", err)
	}
	if _, err := s.db.w.ExecContext(ctx, `UPDATE oauth_grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, now.UTC(), grantID); err != nil {
		return fmt.Errorf("revoke oauth grant: %w", err)
	}
	return nil
}

// Grants returns a user's active grants with their client's name, newest first.
func (s *OAuth) Grants(ctx context.Context, tenantID, userID string) ([]oauth.Grant, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT g.id, g.tenant_id, g.client_id, g.user_id, c.name, g.scopes, g.created_at, g.last_used_at
		FROM oauth_grants g JOIN oauth_clients c ON c.id = g.client_id AND c.tenant_id = g.tenant_id
		WHERE g.tenant_id = $1 AND g.user_id = $2 AND g.revoked_at IS NULL ORDER BY g.created_at DESC, g.id`, tenantID, userID)
	if err != nil {
		return nil, fmt.Errorf("oauth grants: %w", err)
	}
	defer rows.Close()
	var out []oauth.Grant
	for rows.Next() {
		var g oauth.Grant
		var scopes string
		var used sql.NullTime
		if err := rows.Scan(&g.ID, &g.TenantID, &g.ClientID, &g.UserID, &g.ClientName, &scopes, &g.CreatedAt, &used); err != nil {
			return nil, fmt.Errorf("oauth grants: %w", err)
		}
		g.Scopes, g.CreatedAt, g.LastUsedAt = scopesOf(scopes), g.CreatedAt.UTC(), timeOf(used)
		out = append(out, g)
	}
	return out, rows.Err()
}

// TouchGrant records a grant's use.
func (s *OAuth) TouchGrant(ctx context.Context, grantID string, now time.Time) error {
	if _, err := s.db.w.ExecContext(ctx, `UPDATE oauth_grants SET last_used_at = $1 WHERE id = $2`, now.UTC(), grantID); err != nil {
		return fmt.Errorf("touch oauth grant: %w", err)
	}
	return nil
}
