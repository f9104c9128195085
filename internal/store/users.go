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
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/tenant"
)

// Users holds the account queries of the PHI store: accounts, their sign-in
// state (password, TOTP, throttle) and recovery codes. It implements the
// stores accounts, sign-in and grants declare.
type Users struct{ db *DB }

// NewUsers returns the account queries of a PHI store.
func NewUsers(db *DB) *Users { return &Users{db: db} }

var (
	_ accounts.Store = (*Users)(nil)
	_ signin.Users   = (*Users)(nil)
	_ grants.Users   = (*Users)(nil)
)

const userColumns = `id, tenant_id, role, status, email_bidx, email_ct, name_ct, phone_ct, email_verified_at,
	password_hash, totp_secret_ct, totp_last_step, mfa_enrolled_at, failures, last_failure_at, locked_until,
	needs_unlock, last_login_at, disabled_at, disabled_reason, created_at, updated_at, dob_ct, details_ct,
	(SELECT count(*) FROM passkeys p WHERE p.user_id = users.id)`

// nullTime turns the zero time into NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// timeOf reads a nullable time column.
func timeOf(n sql.NullTime) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return n.Time.UTC()
}

func scanUser(row interface{ Scan(...any) error }) (accounts.User, error) {
	var x userScan
	if err := row.Scan(x.dest()...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return accounts.User{}, apperr.NotFoundError()
		}
		return accounts.User{}, fmt.Errorf("scan user: %w", err)
	}
	return x.done(), nil
}

// userScan is where a row's userColumns are scanned into (dest), then made
// an account (done): apart, so that one row can hold a user beside other
// columns (Sessions.WithUser).
type userScan struct {
	u                                                     accounts.User
	role                                                  string
	verified, enrolled, lastFail, locked, login, disabled sql.NullTime
	nameCT, phoneCT, totpCT, dobCT, detailsCT             []byte
}

func (x *userScan) dest() []any { return x.appendDest(make([]any, 0, userScanColumns)) }

// appendDest appends dest's list to d: into a list of a wider row with no
// list of its own (Sessions.WithUser).
func (x *userScan) appendDest(d []any) []any {
	u := &x.u
	return append(d, &u.ID, &u.TenantID, &x.role, &u.Status, &u.EmailBidx, &u.EmailCT, &x.nameCT, &x.phoneCT, &x.verified,
		&u.PasswordHash, &x.totpCT, &u.TOTPLastStep, &x.enrolled, &u.Failures, &x.lastFail, &x.locked,
		&u.NeedsUnlock, &x.login, &x.disabled, &u.DisabledReason, &u.CreatedAt, &u.UpdatedAt, &x.dobCT, &x.detailsCT, &u.Passkeys)
}

func (x *userScan) done() accounts.User {
	u := x.u
	u.Role = access.Role(x.role)
	u.NameCT, u.PhoneCT, u.TOTPSecretCT, u.DOBCT, u.DetailsCT = x.nameCT, x.phoneCT, x.totpCT, x.dobCT, x.detailsCT
	u.EmailVerifiedAt, u.MFAEnrolledAt, u.LastFailureAt = timeOf(x.verified), timeOf(x.enrolled), timeOf(x.lastFail)
	u.LockedUntil, u.LastLoginAt, u.DisabledAt = timeOf(x.locked), timeOf(x.login), timeOf(x.disabled)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u
}

// Insert adds an account. ErrDuplicate when the tenant already has the email.
func (s *Users) Insert(ctx context.Context, u accounts.User) error {
	ctx = tenant.WithScope(ctx, u.TenantID)
	_, err := s.db.w.ExecContext(ctx, `INSERT INTO users (id, tenant_id, role, status, email_bidx, email_ct, name_ct,
		phone_ct, email_verified_at, password_hash, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		u.ID, u.TenantID, string(u.Role), u.Status, u.EmailBidx, u.EmailCT, u.NameCT, u.PhoneCT, nullTime(u.EmailVerifiedAt),
		u.PasswordHash, u.CreatedAt, u.UpdatedAt)
	if isUniqueViolation(err) {
		return apperr.DuplicateError("an account with this email address")
	}
	if err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	return nil
}

// ByEmail finds the account of a tenant with an email blind index.
func (s *Users) ByEmail(ctx context.Context, tenantID string, bidx []byte) (accounts.User, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return scanUser(s.db.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE tenant_id = $1 AND email_bidx = $2`, tenantID, bidx))
}

// ByID finds an account of a tenant.
func (s *Users) ByID(ctx context.Context, tenantID, userID string) (accounts.User, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return scanUser(s.db.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE tenant_id = $1 AND id = $2`, tenantID, userID))
}

// List returns a tenant's accounts, staff first, oldest first; role filters
// when not empty.
func (s *Users) List(ctx context.Context, tenantID string, role access.Role, limit int) ([]accounts.User, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE tenant_id = $1 AND ($2 = '' OR role = $2)
		ORDER BY CASE WHEN role = 'patient' THEN 1 ELSE 0 END, created_at, id LIMIT $3`, tenantID, string(role), limit)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return scanUsers(rows)
}

// scanUsers reads every row of a users query and closes it.
func scanUsers(rows *sql.Rows) ([]accounts.User, error) {
	defer rows.Close()
	var out []accounts.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// exec runs an update that must touch exactly one account.
func (s *Users) exec(ctx context.Context, what, query string, args ...any) error {
	res, err := s.db.w.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	} else if n == 0 {
		return apperr.NotFoundError()
	}
	return nil
}

// SetPassword stores a new password hash.
func (s *Users) SetPassword(ctx context.Context, tenantID, userID, hash string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.exec(ctx, "set password", `UPDATE users SET password_hash = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2`,
		tenantID, userID, hash, now)
}

// SetEmail stores a new email address (blind index and ciphertext).
func (s *Users) SetEmail(ctx context.Context, tenantID, userID string, bidx, ct []byte, verifiedAt, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	err := s.exec(ctx, "set email", `UPDATE users SET email_bidx = $3, email_ct = $4, email_verified_at = $5, updated_at = $6
		WHERE tenant_id = $1 AND id = $2`, tenantID, userID, bidx, ct, nullTime(verifiedAt), now)
	if isUniqueViolation(err) {
		return apperr.DuplicateError("an account with this email address")
	}
	return err
}

// SetProfile stores name and phone ciphertext.
func (s *Users) SetProfile(ctx context.Context, tenantID, userID string, nameCT, phoneCT []byte, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.exec(ctx, "set profile", `UPDATE users SET name_ct = $3, phone_ct = $4, updated_at = $5 WHERE tenant_id = $1 AND id = $2`,
		tenantID, userID, nameCT, phoneCT, now)
}

// SetNameIndex stores the blind index of an account's full name.
func (s *Users) SetNameIndex(ctx context.Context, tenantID, userID string, bidx []byte) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.exec(ctx, "set name index", `UPDATE users SET name_bidx = $3 WHERE tenant_id = $1 AND id = $2`, tenantID, userID, bidx)
}

// SetDOB stores the sealed date of birth and its blind index.
func (s *Users) SetDOB(ctx context.Context, tenantID, userID string, dobCT, bidx []byte) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.exec(ctx, "set date of birth", `UPDATE users SET dob_ct = $3, dob_bidx = $4 WHERE tenant_id = $1 AND id = $2`,
		tenantID, userID, dobCT, bidx)
}

// SetDetails stores the sealed rest of the profile (issue 16).
func (s *Users) SetDetails(ctx context.Context, tenantID, userID string, detailsCT []byte, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.exec(ctx, "set profile details", `UPDATE users SET details_ct = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2`,
		tenantID, userID, detailsCT, now)
}

// SetVerified marks the email address verified and the account active.
func (s *Users) SetVerified(ctx context.Context, tenantID, userID string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.exec(ctx, "verify email", `UPDATE users SET email_verified_at = $3, updated_at = $3 WHERE tenant_id = $1 AND id = $2`,
		tenantID, userID, now)
}

// SetTOTP stores (or, with nil, removes) the TOTP secret ciphertext.
func (s *Users) SetTOTP(ctx context.Context, tenantID, userID string, secretCT []byte, step int64, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	var enrolled time.Time
	if secretCT != nil {
		enrolled = now
	}
	return s.exec(ctx, "set totp", `UPDATE users SET totp_secret_ct = $3, totp_last_step = $4, mfa_enrolled_at = $5, updated_at = $6
		WHERE tenant_id = $1 AND id = $2`, tenantID, userID, secretCT, step, nullTime(enrolled), now)
}

// UseTOTPStep records that a TOTP time step was used, only if it is later than
// the last one used. Why atomic: two requests racing with the same code must not
// both pass (replay protection); false means the step was used already.
func (s *Users) UseTOTPStep(ctx context.Context, tenantID, userID string, step int64) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	res, err := s.db.w.ExecContext(ctx, `UPDATE users SET totp_last_step = $3 WHERE tenant_id = $1 AND id = $2 AND totp_last_step < $3`,
		tenantID, userID, step)
	if err != nil {
		return false, fmt.Errorf("use totp step: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SetRole changes an account's role.
func (s *Users) SetRole(ctx context.Context, tenantID, userID string, role access.Role, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.exec(ctx, "set role", `UPDATE users SET role = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2`, tenantID, userID, string(role), now)
}

// SetStatus enables or disables an account. Disabling revokes every session of
// the account in the same transaction, so no request of the account passes
// after this returns.
func (s *Users) SetStatus(ctx context.Context, tenantID, userID, status, reason string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		disabledAt := any(nil)
		if status == "disabled" {
			disabledAt = now
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET status = $3, disabled_at = $4, disabled_reason = $5, updated_at = $6,
			failures = 0, locked_until = NULL, needs_unlock = $7 WHERE tenant_id = $1 AND id = $2`,
			tenantID, userID, status, disabledAt, reason, now, false)
		if err != nil {
			return fmt.Errorf("set status: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundError()
		}
		if status == "disabled" {
			if _, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, userID, now); err != nil {
				return fmt.Errorf("revoke sessions: %w", err)
			}
		}
		return nil
	})
}

// SetThrottle stores an account's failure record.
func (s *Users) SetThrottle(ctx context.Context, tenantID, userID string, t auth.Throttle) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.exec(ctx, "set throttle", `UPDATE users SET failures = $3, last_failure_at = $4, locked_until = $5, needs_unlock = $6
		WHERE tenant_id = $1 AND id = $2`, tenantID, userID, t.Failures, nullTime(t.LastFailure), nullTime(t.LockedUntil), t.NeedsUnlock)
}

// SetLastLogin records a successful sign-in and clears the failure record.
func (s *Users) SetLastLogin(ctx context.Context, tenantID, userID string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.exec(ctx, "set last login", `UPDATE users SET last_login_at = $3, failures = 0, last_failure_at = NULL, locked_until = NULL
		WHERE tenant_id = $1 AND id = $2`, tenantID, userID, now)
}

// InactiveStaff lists active staff accounts (every role but patient) of every
// tenant whose last sign-in, or creation when they never signed in, is before
// cutoff.
func (s *Users) InactiveStaff(ctx context.Context, cutoff time.Time) ([]accounts.User, error) {
	ctx = tenant.AcrossTenants(ctx) // the inactivity job walks every tenant
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE role <> 'patient' AND status = 'active'
		AND COALESCE(last_login_at, created_at) < $1 ORDER BY tenant_id, id`, cutoff)
	if err != nil {
		return nil, fmt.Errorf("inactive staff: %w", err)
	}
	return scanUsers(rows)
}

// ReplaceRecoveryCodes stores a new set of recovery code hashes, dropping the old.
func (s *Users) ReplaceRecoveryCodes(ctx context.Context, tenantID, userID string, hashes []string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
			return fmt.Errorf("drop recovery codes: %w", err)
		}
		for _, h := range hashes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (tenant_id, user_id, code_hash) VALUES ($1, $2, $3)`,
				tenantID, userID, h); err != nil {
				return fmt.Errorf("insert recovery code: %w", err)
			}
		}
		return nil
	})
}

// UseRecoveryCode spends a recovery code; false when it does not exist or was
// used already (single use, atomically).
func (s *Users) UseRecoveryCode(ctx context.Context, userID, hash string, now time.Time) (bool, error) {
	res, err := s.db.w.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`,
		userID, hash, now)
	if err != nil {
		return false, fmt.Errorf("use recovery code: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RecoveryCodesLeft counts an account's unused recovery codes.
func (s *Users) RecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.db.r.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count recovery codes: %w", err)
	}
	return n, nil
}
