package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/tenant"
)

// SSO holds the single sign-on queries of the PHI store: each tenant's
// OpenID Connect provider (the client secret is vault ciphertext) and the
// sign-ins under way at it.
type SSO struct{ db *DB }

// NewSSO returns the single sign-on queries of a PHI store.
func NewSSO(db *DB) *SSO { return &SSO{db: db} }

var _ signin.SSOStore = (*SSO)(nil)

// Put stores (or replaces) a tenant's provider.
func (q *SSO) Put(ctx context.Context, c signin.SSOConfig) error {
	ctx = tenant.WithScope(ctx, c.TenantID)
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO sso_configs (tenant_id, issuer, client_id, client_secret_ct, allowed_domains, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (tenant_id) DO UPDATE SET issuer = excluded.issuer, client_id = excluded.client_id,
		client_secret_ct = excluded.client_secret_ct, allowed_domains = excluded.allowed_domains, updated_at = excluded.updated_at`,
		c.TenantID, c.Issuer, c.ClientID, c.ClientSecretCT, strings.Join(c.AllowedDomains, ","), c.UpdatedAt)
	if err != nil {
		return fmt.Errorf("save sso: %w", err)
	}
	return nil
}

// Delete turns a tenant's single sign-on off.
func (q *SSO) Delete(ctx context.Context, tenantID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := q.db.w.ExecContext(ctx, `DELETE FROM sso_configs WHERE tenant_id = $1`, tenantID); err != nil {
		return fmt.Errorf("delete sso: %w", err)
	}
	return nil
}

// Get returns a tenant's provider; NotFound when it has none.
func (q *SSO) Get(ctx context.Context, tenantID string) (signin.SSOConfig, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var (
		c       signin.SSOConfig
		domains string
	)
	err := q.db.r.QueryRowContext(ctx, `SELECT tenant_id, issuer, client_id, client_secret_ct, allowed_domains, updated_at
		FROM sso_configs WHERE tenant_id = $1`, tenantID).Scan(&c.TenantID, &c.Issuer, &c.ClientID, &c.ClientSecretCT, &domains, &c.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return signin.SSOConfig{}, apperr.NotFoundError()
	}
	if err != nil {
		return signin.SSOConfig{}, fmt.Errorf("read sso: %w", err)
	}
	if domains != "" {
		c.AllowedDomains = strings.Split(domains, ",")
	}
	c.UpdatedAt = c.UpdatedAt.UTC()
	return c, nil
}

// InsertFlow keeps a flow until the callback, and drops expired ones.
func (q *SSO) InsertFlow(ctx context.Context, f signin.SSOFlow, now time.Time) error {
	ctx = tenant.WithScope(ctx, f.TenantID)
	return q.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sso_flows WHERE expires_at <= $1`, now); err != nil {
			return fmt.Errorf("drop old sso flows: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sso_flows (state_hash, tenant_id, nonce, verifier, next, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, f.StateHash, f.TenantID, f.Nonce, f.Verifier, f.Next, f.ExpiresAt); err != nil {
			return fmt.Errorf("save sso flow: %w", err)
		}
		return nil
	})
}

// TakeFlow returns and deletes the live flow of a state hash in a tenant: a
// callback works once.
func (q *SSO) TakeFlow(ctx context.Context, tenantID, stateHash string, now time.Time) (signin.SSOFlow, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var f signin.SSOFlow
	err := q.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT state_hash, tenant_id, nonce, verifier, next, expires_at FROM sso_flows
			WHERE state_hash = $1 AND tenant_id = $2 AND expires_at > $3`, stateHash, tenantID, now).
			Scan(&f.StateHash, &f.TenantID, &f.Nonce, &f.Verifier, &f.Next, &f.ExpiresAt)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundError()
		}
		if err != nil {
			return fmt.Errorf("read sso flow: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sso_flows WHERE state_hash = $1`, stateHash); err != nil {
			return fmt.Errorf("spend sso flow: %w", err)
		}
		return nil
	})
	return f, err
}
