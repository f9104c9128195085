package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/tenant"
)

// Passkeys holds the WebAuthn queries of the PHI store: passkeys (the
// library's credential record as JSON; nothing in it is secret) and the
// ceremonies under way.
type Passkeys struct{ db *DB }

// NewPasskeys returns the WebAuthn queries of a PHI store.
func NewPasskeys(db *DB) *Passkeys { return &Passkeys{db: db} }

var _ signin.Passkeys = (*Passkeys)(nil)

// Insert stores a credential.
func (q *Passkeys) Insert(ctx context.Context, p signin.Passkey) error {
	ctx = tenant.WithScope(ctx, p.TenantID)
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO passkeys (id, tenant_id, user_id, name, credential, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		p.ID, p.TenantID, p.UserID, p.Name, p.Credential, p.CreatedAt)
	if isUniqueViolation(err) {
		return apperr.DuplicateError("a passkey with this credential")
	}
	if err != nil {
		return fmt.Errorf("save passkey: %w", err)
	}
	return nil
}

// OfUser lists a user's credentials, oldest first.
func (q *Passkeys) OfUser(ctx context.Context, tenantID, userID string) ([]signin.Passkey, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := q.db.r.QueryContext(ctx, `SELECT id, tenant_id, user_id, name, credential, created_at, last_used_at FROM passkeys
		WHERE tenant_id = $1 AND user_id = $2 ORDER BY created_at, id`, tenantID, userID)
	if err != nil {
		return nil, fmt.Errorf("list passkeys: %w", err)
	}
	defer rows.Close()
	var out []signin.Passkey
	for rows.Next() {
		var (
			p    signin.Passkey
			used sql.NullTime
		)
		if err := rows.Scan(&p.ID, &p.TenantID, &p.UserID, &p.Name, &p.Credential, &p.CreatedAt, &used); err != nil {
			return nil, fmt.Errorf("scan passkey: %w", err)
		}
		p.CreatedAt, p.LastUsedAt = p.CreatedAt.UTC(), timeOf(used)
		out = append(out, p)
	}
	return out, rows.Err()
}

// Used records a sign-in with a credential and its new state (sign count).
func (q *Passkeys) Used(ctx context.Context, id string, credential []byte, now time.Time) error {
	_, err := q.db.w.ExecContext(ctx, `UPDATE passkeys SET credential = $2, last_used_at = $3 WHERE id = $1`, id, credential, now)
	if err != nil {
		return fmt.Errorf("passkey used: %w", err)
	}
	return nil
}

// Delete removes one of a user's credentials.
func (q *Passkeys) Delete(ctx context.Context, tenantID, userID, id string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	res, err := q.db.w.ExecContext(ctx, `DELETE FROM passkeys WHERE tenant_id = $1 AND user_id = $2 AND id = $3`, tenantID, userID, id)
	if err != nil {
		return fmt.Errorf("delete passkey: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundError()
	}
	return nil
}

// PutCeremony stores a ceremony (replacing one with the same hash) and drops
// expired ones.
func (q *Passkeys) PutCeremony(ctx context.Context, f signin.Ceremony, now time.Time) error {
	ctx = tenant.WithScope(ctx, f.TenantID)
	return q.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM webauthn_flows WHERE expires_at <= $1 OR hash = $2`, now, f.Hash); err != nil {
			return fmt.Errorf("drop webauthn flows: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO webauthn_flows (hash, tenant_id, user_id, purpose, name, data, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, f.Hash, f.TenantID, f.UserID, f.Purpose, f.Name, f.Data, f.ExpiresAt)
		if err != nil {
			return fmt.Errorf("save webauthn flow: %w", err)
		}
		return nil
	})
}

// TakeCeremony returns and deletes a live ceremony: each works once.
func (q *Passkeys) TakeCeremony(ctx context.Context, tenantID, hash, purpose string, now time.Time) (signin.Ceremony, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var f signin.Ceremony
	err := q.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT hash, tenant_id, user_id, purpose, name, data, expires_at FROM webauthn_flows
			WHERE hash = $1 AND tenant_id = $2 AND purpose = $3 AND expires_at > $4`, hash, tenantID, purpose, now).
			Scan(&f.Hash, &f.TenantID, &f.UserID, &f.Purpose, &f.Name, &f.Data, &f.ExpiresAt)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundError()
		}
		if err != nil {
			return fmt.Errorf("read webauthn flow: %w", err)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM webauthn_flows WHERE hash = $1`, hash)
		return err
	})
	return f, err
}
