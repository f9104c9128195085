package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
)

// SessionRow is a server-side session. ID is the hash of the cookie's token.
type SessionRow struct {
	ID         string
	TenantID   string
	UserID     string
	Role       string
	CreatedAt  time.Time
	LastSeenAt time.Time
	MFAAt      time.Time
	AuthAt     time.Time
	RevokedAt  time.Time
	Device     string // a coarse label such as "Firefox on Linux"
}

// Sessions holds the session queries of the PHI store.
type Sessions struct{ db *DB }

// NewSessions returns the session queries of a PHI store.
func NewSessions(db *DB) *Sessions { return &Sessions{db: db} }

const sessionColumns = `id, tenant_id, user_id, role, created_at, last_seen_at, mfa_at, auth_at, revoked_at, device`

func scanSession(row interface{ Scan(...any) error }) (SessionRow, error) {
	var (
		s                  SessionRow
		mfa, auth, revoked sql.NullTime
	)
	err := row.Scan(&s.ID, &s.TenantID, &s.UserID, &s.Role, &s.CreatedAt, &s.LastSeenAt, &mfa, &auth, &revoked, &s.Device)
	if errors.Is(err, sql.ErrNoRows) {
		return SessionRow{}, apperr.NotFoundError()
	}
	if err != nil {
		return SessionRow{}, fmt.Errorf("scan session: %w", err)
	}
	s.CreatedAt, s.LastSeenAt = s.CreatedAt.UTC(), s.LastSeenAt.UTC()
	s.MFAAt, s.AuthAt, s.RevokedAt = timeOf(mfa), timeOf(auth), timeOf(revoked)
	return s, nil
}

// Insert stores a new session.
func (q *Sessions) Insert(ctx context.Context, s SessionRow) error {
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		s.ID, s.TenantID, s.UserID, s.Role, s.CreatedAt, s.LastSeenAt, nullTime(s.MFAAt), nullTime(s.AuthAt), nullTime(s.RevokedAt), s.Device)
	if err != nil {
		return fmt.Errorf("insert session: %w", err)
	}
	return nil
}

// ByID finds a session by its token hash.
func (q *Sessions) ByID(ctx context.Context, id string) (SessionRow, error) {
	return scanSession(q.db.r.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = $1`, id))
}

// Touch records activity.
func (q *Sessions) Touch(ctx context.Context, id string, now time.Time) error {
	_, err := q.db.w.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE id = $1 AND revoked_at IS NULL`, id, now)
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// MarkAuth records that the user proved who they are now; mfa also records the
// second factor.
func (q *Sessions) MarkAuth(ctx context.Context, id string, now time.Time, mfa bool) error {
	query := `UPDATE sessions SET auth_at = $2, last_seen_at = $2 WHERE id = $1 AND revoked_at IS NULL`
	if mfa {
		query = `UPDATE sessions SET auth_at = $2, mfa_at = $2, last_seen_at = $2 WHERE id = $1 AND revoked_at IS NULL`
	}
	_, err := q.db.w.ExecContext(ctx, query, id, now)
	if err != nil {
		return fmt.Errorf("mark session auth: %w", err)
	}
	return nil
}

// Revoke ends one session of a user; NotFound when the user has no such
// live session.
func (q *Sessions) Revoke(ctx context.Context, userID, id string, now time.Time) error {
	res, err := q.db.w.ExecContext(ctx, `UPDATE sessions SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`, id, userID, now)
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundError()
	}
	return nil
}

// RevokeAll ends every session of a user except keep (which may be empty).
func (q *Sessions) RevokeAll(ctx context.Context, userID, keep string, now time.Time) error {
	_, err := q.db.w.ExecContext(ctx, `UPDATE sessions SET revoked_at = $3 WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL`,
		userID, keep, now)
	if err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	return nil
}

// Live lists a user's sessions that are not revoked and were seen after since,
// newest first.
func (q *Sessions) Live(ctx context.Context, userID string, since time.Time) ([]SessionRow, error) {
	rows, err := q.db.r.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE user_id = $1 AND revoked_at IS NULL
		AND last_seen_at > $2 ORDER BY last_seen_at DESC, id`, userID, since)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	var out []SessionRow
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Purge deletes sessions that ended (revoked or last seen) before cutoff.
func (q *Sessions) Purge(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := q.db.w.ExecContext(ctx, `DELETE FROM sessions WHERE COALESCE(revoked_at, last_seen_at) < $1`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("purge sessions: %w", err)
	}
	return res.RowsAffected()
}

// TokenRow is a one-time token: its hash, what it is for and whose it is.
type TokenRow struct {
	Hash      string
	TenantID  string
	UserID    string
	Purpose   string
	Data      []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}

// InsertToken stores a one-time token, replacing earlier unused tokens of the
// same user and purpose (only the newest link works).
func (q *Sessions) InsertToken(ctx context.Context, t TokenRow) error {
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

// UseToken spends a token of a purpose in a tenant: it must exist, be unused
// and unexpired. Atomic, so a token works once however many requests race.
func (q *Sessions) UseToken(ctx context.Context, tenantID, hash, purpose string, now time.Time) (TokenRow, error) {
	var t TokenRow
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

// PeekToken finds a token like UseToken without spending it.
func (q *Sessions) PeekToken(ctx context.Context, tenantID, hash, purpose string, now time.Time) (TokenRow, error) {
	var t TokenRow
	err := q.db.r.QueryRowContext(ctx, `SELECT hash, tenant_id, user_id, purpose, data, created_at, expires_at FROM auth_tokens
		WHERE hash = $1 AND tenant_id = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $4`, hash, tenantID, purpose, now).
		Scan(&t.Hash, &t.TenantID, &t.UserID, &t.Purpose, &t.Data, &t.CreatedAt, &t.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return TokenRow{}, apperr.NotFoundError()
	}
	if err != nil {
		return TokenRow{}, fmt.Errorf("find token: %w", err)
	}
	return t, nil
}

// KeyThrottle is the failure record of a throttling key that is not an
// account (an unknown identifier, a client address).
type KeyThrottle struct {
	Failures    int
	LastFailure time.Time
	LockedUntil time.Time
}

// Throttle reads a key's record; the zero record when there is none.
func (q *Sessions) Throttle(ctx context.Context, key string) (KeyThrottle, error) {
	var (
		t      KeyThrottle
		locked sql.NullTime
	)
	err := q.db.r.QueryRowContext(ctx, `SELECT failures, last_failure_at, locked_until FROM throttles WHERE key = $1`, key).
		Scan(&t.Failures, &t.LastFailure, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return KeyThrottle{}, nil
	}
	if err != nil {
		return KeyThrottle{}, fmt.Errorf("read throttle: %w", err)
	}
	t.LastFailure, t.LockedUntil = t.LastFailure.UTC(), timeOf(locked)
	return t, nil
}

// SetThrottle writes a key's record; a zero record deletes it.
func (q *Sessions) SetThrottle(ctx context.Context, tenantID, key string, t KeyThrottle) error {
	var err error
	if t.Failures == 0 {
		_, err = q.db.w.ExecContext(ctx, `DELETE FROM throttles WHERE key = $1`, key)
	} else {
		_, err = q.db.w.ExecContext(ctx, `INSERT INTO throttles (key, tenant_id, failures, last_failure_at, locked_until)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,
			last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until`,
			key, tenantID, t.Failures, t.LastFailure, nullTime(t.LockedUntil))
	}
	if err != nil {
		return fmt.Errorf("write throttle: %w", err)
	}
	return nil
}

// Burst is a tenant's count of failed sign-ins in the current window.
type Burst struct {
	WindowStart time.Time
	Count       int
	AlertedAt   time.Time
}

// UpdateBurst reads a tenant's burst record, applies fn and writes the result,
// in one transaction.
func (q *Sessions) UpdateBurst(ctx context.Context, tenantID string, fn func(Burst) Burst) error {
	return q.db.Tx(ctx, func(tx *sql.Tx) error {
		var (
			b       Burst
			start   sql.NullTime
			alerted sql.NullTime
		)
		err := tx.QueryRowContext(ctx, `SELECT window_start, count, alerted_at FROM bursts WHERE tenant_id = $1`, tenantID).
			Scan(&start, &b.Count, &alerted)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read burst: %w", err)
		}
		b.WindowStart, b.AlertedAt = timeOf(start), timeOf(alerted)
		b = fn(b)
		_, err = tx.ExecContext(ctx, `INSERT INTO bursts (tenant_id, window_start, count, alerted_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (tenant_id) DO UPDATE SET window_start = excluded.window_start, count = excluded.count,
			alerted_at = excluded.alerted_at`, tenantID, b.WindowStart, b.Count, nullTime(b.AlertedAt))
		if err != nil {
			return fmt.Errorf("write burst: %w", err)
		}
		return nil
	})
}
