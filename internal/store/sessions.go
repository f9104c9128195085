package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/marketing"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/tenant"
)

// Sessions holds the server-side sessions of the PHI store. ID is the hash
// of the cookie's token; a session's Stage is not stored (sign-in works it
// out from the account).
type Sessions struct{ db *DB }

// NewSessions returns the session queries of a PHI store.
func NewSessions(db *DB) *Sessions { return &Sessions{db: db} }

var (
	_ signin.Sessions   = (*Sessions)(nil)
	_ accounts.Sessions = (*Sessions)(nil)
)

const sessionColumns = `id, tenant_id, user_id, role, created_at, last_seen_at, mfa_at, auth_at, revoked_at, device`

func scanSession(row interface{ Scan(...any) error }) (signin.Session, error) {
	var x sessionScan
	if err := row.Scan(x.dest()...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return signin.Session{}, apperr.NotFoundError()
		}
		return signin.Session{}, fmt.Errorf("scan session: %w", err)
	}
	return x.done(), nil
}

// sessionScan is where a row's sessionColumns are scanned into (dest), then
// made a session (done).
type sessionScan struct {
	s                  signin.Session
	role               string
	mfa, auth, revoked sql.NullTime
}

func (x *sessionScan) dest() []any {
	s := &x.s
	return []any{&s.ID, &s.TenantID, &s.UserID, &x.role, &s.CreatedAt, &s.LastSeenAt, &x.mfa, &x.auth, &x.revoked, &s.Device}
}

func (x *sessionScan) done() signin.Session {
	s := x.s
	s.Role = access.Role(x.role)
	s.CreatedAt, s.LastSeenAt = s.CreatedAt.UTC(), s.LastSeenAt.UTC()
	s.MFAAt, s.AuthAt, s.RevokedAt = timeOf(x.mfa), timeOf(x.auth), timeOf(x.revoked)
	return s
}

// Insert stores a new session.
func (q *Sessions) Insert(ctx context.Context, s signin.Session) error {
	ctx = tenant.WithScope(ctx, s.TenantID)
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		s.ID, s.TenantID, s.UserID, string(s.Role), s.CreatedAt, s.LastSeenAt, nullTime(s.MFAAt), nullTime(s.AuthAt), nullTime(s.RevokedAt), s.Device)
	if err != nil {
		return fmt.Errorf("insert session: %w", err)
	}
	return nil
}

// ByID finds a session by its token hash.
func (q *Sessions) ByID(ctx context.Context, id string) (signin.Session, error) {
	return scanSession(q.db.r.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = $1`, id))
}

// sessionUserColumns are sessionColumns then userColumns, each qualified
// (both tables have id, tenant_id, role and created_at), and the account's
// passkey count.
const sessionUserColumns = `s.id, s.tenant_id, s.user_id, s.role, s.created_at, s.last_seen_at, s.mfa_at, s.auth_at,
	s.revoked_at, s.device,
	users.id, users.tenant_id, users.role, users.status, users.email_bidx, users.email_ct, users.name_ct, users.phone_ct,
	users.email_verified_at, users.password_hash, users.totp_secret_ct, users.totp_last_step, users.mfa_enrolled_at,
	users.failures, users.last_failure_at, users.locked_until, users.needs_unlock, users.last_login_at, users.disabled_at,
	users.disabled_reason, users.created_at, users.updated_at, users.dob_ct, users.details_ct,
	(SELECT count(*) FROM passkeys p WHERE p.user_id = users.id)`

// sessionUserQuery reads a session and its account's row in one statement.
const sessionUserQuery = `SELECT ` + sessionUserColumns + `
	FROM sessions s JOIN users ON users.tenant_id = s.tenant_id AND users.id = s.user_id
	WHERE s.id = $1`

// sessionExtrasQuery is sessionUserQuery with the person's signin.Extras:
// the live proxy grants naming them, their dashboard layout, whether their
// health-offers authorization is current at $2, their data key's row.
const sessionExtrasQuery = `SELECT ` + sessionUserColumns + `,
	(SELECT count(*) FROM proxy_grants g WHERE g.tenant_id = s.tenant_id AND g.proxy_id = s.user_id AND g.revoked_at IS NULL),
	dl.widgets, dl.hidden,
	(SELECT count(*) FROM marketing_authorizations m WHERE m.tenant_id = s.tenant_id AND m.patient_id = s.user_id
		AND m.purpose = '` + marketing.HealthOffers + `' AND m.revoked_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > $2)),
	k.kek_version, k.wrapped
	FROM sessions s JOIN users ON users.tenant_id = s.tenant_id AND users.id = s.user_id
	LEFT JOIN dashboard_layouts dl ON dl.tenant_id = s.tenant_id AND dl.user_id = s.user_id
	LEFT JOIN vault_data_keys k ON k.tenant_id = s.tenant_id AND k.subject = s.user_id
	WHERE s.id = $1`

// WithUser finds a session by its token hash with its account's row, in one
// statement: every signed-in request reads both (sign-in checks the account
// is still active and has the session's role), and one read a request is
// one statement fewer on every page. NotFound when there is no such session
// or its account is gone.
//
// With extras, the same statement reads the person's signin.Extras (at
// now: an expired authorization is not current): what the dashboard and the
// profile would otherwise read in four statements of their own (issue 15).
// Without, it reads none of them: they cost a few microseconds a request.
func (q *Sessions) WithUser(ctx context.Context, id string, now time.Time, extras bool) (signin.Session, accounts.User, error) {
	// One allocation for every scan target and the destination list. Why:
	// every signed-in request runs this, and the five slices and three
	// structs it took before were a tenth of what the lookup allocated.
	x := &sessionUserScan{}
	dest := x.u.appendDest(append(x.dest[:0], x.s.dest()...))
	var err error
	if extras {
		err = q.db.r.QueryRowContext(ctx, sessionExtrasQuery, id, now.UTC()).Scan(append(dest, x.x.dest()...)...)
	} else {
		err = q.db.r.QueryRowContext(ctx, sessionUserQuery, id).Scan(dest...)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return signin.Session{}, accounts.User{}, apperr.NotFoundError()
	}
	if err != nil {
		return signin.Session{}, accounts.User{}, fmt.Errorf("session and user: %w", err)
	}
	sess := x.s.done()
	if extras {
		sess.Extras = x.x.done(sess.TenantID, sess.UserID)
	}
	return sess, x.u.done(), nil
}

// sessionUserScan is where a row of sessionExtrasQuery (or of
// sessionUserQuery: x left unused) is scanned into, with room for the
// destination list of all its columns.
type sessionUserScan struct {
	s    sessionScan
	u    userScan
	x    extrasScan
	dest [sessionScanColumns + userScanColumns + extrasScanColumns]any
}

// The number of columns each scan's dest lists.
const (
	sessionScanColumns = 10
	userScanColumns    = 25
	extrasScanColumns  = 6
)

// extrasScan is where sessionExtrasQuery's extra columns are scanned into
// (dest), then made a signin.Extras (done).
type extrasScan struct {
	grants, offers  int
	widgets, hidden sql.NullString
	kek             sql.NullString
	wrapped         []byte
}

func (x *extrasScan) dest() []any {
	return []any{&x.grants, &x.widgets, &x.hidden, &x.offers, &x.kek, &x.wrapped}
}

func (x *extrasScan) done(tenantID, userID string) signin.Extras {
	e := signin.Extras{Read: true, ProxyGrants: x.grants, HealthOffers: x.offers > 0,
		Key: phi.KeyRow{TenantID: tenantID, Subject: userID, Found: x.kek.Valid, KEKVersion: x.kek.String, Wrapped: x.wrapped}}
	if x.widgets.Valid {
		e.Layout = &signin.Layout{Widgets: splitKeys(x.widgets.String), Hidden: splitKeys(x.hidden.String)}
	}
	return e
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
func (q *Sessions) Live(ctx context.Context, userID string, since time.Time) ([]signin.Session, error) {
	rows, err := q.db.r.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE user_id = $1 AND revoked_at IS NULL
		AND last_seen_at > $2 ORDER BY last_seen_at DESC, id`, userID, since)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	var out []signin.Session
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
	ctx = tenant.AcrossTenants(ctx) // the purge job walks every tenant
	res, err := q.db.w.ExecContext(ctx, `DELETE FROM sessions WHERE COALESCE(revoked_at, last_seen_at) < $1`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("purge sessions: %w", err)
	}
	return res.RowsAffected()
}
