// Package signin is how people prove who they are and how long that holds:
// passwords, server-side sessions, second factors (TOTP, recovery codes,
// passkeys), password reset and account unlock, staff single sign-on,
// throttling and lockout, and re-authentication before sensitive changes.
// Every sign-in event is an audit event. The accounts it signs in are package
// accounts'; the web adapter that reads the session cookie is in package web.
package signin

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Users are the account rows sign-in reads and writes (internal/store.Users).
// Lookups answer apperr NotFound for a missing account.
type Users interface {
	ByID(ctx context.Context, tenantID, userID string) (accounts.User, error)
	ByEmail(ctx context.Context, tenantID string, bidx []byte) (accounts.User, error)
	SetPassword(ctx context.Context, tenantID, userID, hash string, now time.Time) error
	SetVerified(ctx context.Context, tenantID, userID string, now time.Time) error
	// SetThrottle stores an account's failure record.
	SetThrottle(ctx context.Context, tenantID, userID string, t auth.Throttle) error
	// SetLastLogin records a successful sign-in and clears the failure record.
	SetLastLogin(ctx context.Context, tenantID, userID string, now time.Time) error
	// SetTOTP stores (or, with nil, removes) the TOTP secret ciphertext.
	SetTOTP(ctx context.Context, tenantID, userID string, secretCT []byte, step int64, now time.Time) error
	// UseTOTPStep records that a TOTP time step was used, only if it is later
	// than the last one used, atomically; false when it was used already.
	UseTOTPStep(ctx context.Context, tenantID, userID string, step int64) (bool, error)
	// ReplaceRecoveryCodes stores a new set of recovery code hashes, dropping
	// the old.
	ReplaceRecoveryCodes(ctx context.Context, tenantID, userID string, hashes []string) error
	// UseRecoveryCode spends a recovery code atomically; false when it does
	// not exist or was used already.
	UseRecoveryCode(ctx context.Context, userID, hash string, now time.Time) (bool, error)
	RecoveryCodesLeft(ctx context.Context, userID string) (int, error)
}

// Sessions keeps sessions (internal/store.Sessions). A stored session's Stage
// is not kept: the service works it out from the account on every lookup.
type Sessions interface {
	Insert(ctx context.Context, s Session) error
	// ByID finds a session by its token hash; NotFound when there is none.
	ByID(ctx context.Context, id string) (Session, error)
	// WithUser finds a session by its token hash and its account's row in
	// one read, with the person's Extras as they are at now when extras is
	// set; NotFound when the session or the account is missing.
	WithUser(ctx context.Context, id string, now time.Time, extras bool) (Session, accounts.User, error)
	// Touch records activity.
	Touch(ctx context.Context, id string, now time.Time) error
	// MarkAuth records that the user proved who they are now; mfa also
	// records the second factor.
	MarkAuth(ctx context.Context, id string, now time.Time, mfa bool) error
	// Revoke ends one session of a user; NotFound when the user has no such
	// live session.
	Revoke(ctx context.Context, userID, id string, now time.Time) error
	// RevokeAll ends every session of a user except keep (which may be empty).
	RevokeAll(ctx context.Context, userID, keep string, now time.Time) error
	// Live lists a user's sessions that are not revoked and were seen after
	// since, newest first.
	Live(ctx context.Context, userID string, since time.Time) ([]Session, error)
	// Purge deletes sessions that ended (revoked or last seen) before cutoff.
	Purge(ctx context.Context, cutoff time.Time) (int64, error)
}

// Throttles keeps the failure records of throttling keys that are not
// accounts (an unknown identifier, a client address) and each tenant's burst
// count (internal/store.Throttles).
type Throttles interface {
	// Throttle reads a key's record; the zero record when there is none.
	Throttle(ctx context.Context, key string) (auth.Throttle, error)
	// SetThrottle writes a key's record; a zero record deletes it.
	SetThrottle(ctx context.Context, tenantID, key string, t auth.Throttle) error
	// UpdateBurst reads a tenant's burst record, applies fn and writes the
	// result, in one transaction.
	UpdateBurst(ctx context.Context, tenantID string, fn func(auth.BurstState) auth.BurstState) error
}

// Accounts is what sign-in takes from the accounts service.
type Accounts interface {
	// SendLink emails an account a one-time link of a purpose
	// (accounts.PurposeVerify, ...).
	SendLink(ctx context.Context, t *tenant.Tenant, baseURL, userID, purpose string) error
	// Account returns an account with its PHI opened for a purpose (audited).
	Account(ctx context.Context, tenantID, userID string, purpose access.Purpose) (accounts.Account, error)
	// Alert records a high-severity event and emails the tenant's security
	// contact.
	Alert(ctx context.Context, t *tenant.Tenant, action, detail string) error
}

// Vault is what sign-in takes from the vault: audited handles (TOTP secrets,
// single sign-on client secrets), and the blind index that finds an account
// by its address and names a client address without keeping it.
type Vault interface {
	phi.Vault
	phi.Indexer
}

// Deps are what the service is built on; server wires them.
type Deps struct {
	Users     Users
	Sessions  Sessions
	Throttles Throttles
	Tokens    accounts.Tokens
	Passkeys  Passkeys
	SSO       SSOStore
	Accounts  Accounts
	// OIDC discovers single sign-on providers (internal/oidc); without it
	// single sign-on is unavailable.
	OIDC  OIDC
	Vault Vault
	Audit audit.Appender
	// Hasher hashes passwords, shared with accounts (see accounts.Deps).
	Hasher *auth.Hasher
	Clock  clock.Clock
	Log    *slog.Logger
	// Policy is the session lifetimes (idle, absolute, freshness).
	Policy auth.SessionPolicy
	// Limits are tenants' own, stricter session limits (nil: the server's
	// Policy everywhere).
	Limits TenantLimits
	// Burst is the tenant-wide failed sign-in alert rule.
	Burst auth.Burst
	// After does work after the answer (jobs.After): see Forgot. Nil does it
	// before answering, as tests of the service alone want.
	After accounts.Later
}

// Service signs people in on the PHI store.
type Service struct {
	users     Users
	sessions  Sessions
	throttles Throttles
	tokens    accounts.Tokens
	passkeys  Passkeys
	sso       SSOStore
	accounts  Accounts
	oidc      OIDC
	// ssoCache holds discovered single sign-on providers by tenant.
	ssoCache sync.Map
	vault    Vault
	audit    audit.Appender
	hasher   *auth.Hasher
	clock    clock.Clock
	log      *slog.Logger
	policy   auth.SessionPolicy
	// limits and limitsCache: tenants' own session limits (limits.go).
	limits      TenantLimits
	limitsCache limitsCache
	burst       auth.Burst
	after       accounts.Later
}

// New returns the service; zero fields of d take the defaults (the system
// clock, production Argon2id, the default session lifetimes and burst rule).
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Hasher == nil {
		d.Hasher = auth.NewHasher(auth.DefaultArgon2())
	}
	if d.Policy == (auth.SessionPolicy{}) {
		d.Policy = auth.DefaultSessionPolicy()
	}
	if d.Burst == (auth.Burst{}) {
		d.Burst = auth.DefaultBurst
	}
	return &Service{users: d.Users, sessions: d.Sessions, throttles: d.Throttles, tokens: d.Tokens, passkeys: d.Passkeys,
		sso: d.SSO, accounts: d.Accounts, oidc: d.OIDC, vault: d.Vault, audit: d.Audit, hasher: d.Hasher, clock: d.Clock,
		log: d.Log, policy: d.Policy, limits: d.Limits, burst: d.Burst, after: d.After}
}

// Errors a caller may meet. Each is an apperr with a message safe to show.
var (
	// ErrBadCredentials answers every failed sign-in, whatever the reason (no
	// such account, wrong password, locked, disabled): the same words for all,
	// so that the answer tells nobody whether an account exists.
	ErrBadCredentials = apperr.New(apperr.Invalid, "That email address and password do not match an account. Check them and try again.")
	// ErrTooMany answers while throttling asks the client to wait.
	ErrTooMany = apperr.New(apperr.RateLimited, "Too many attempts. Wait a minute and try again.")
	// ErrBadCode answers a wrong, used or expired second-factor code.
	ErrBadCode = apperr.InvalidFields("That code is not right. Check it and try again.", map[string]string{"code": "Enter the current 6-digit code, or a recovery code."})
	// ErrNotFresh asks the user to sign in again before a sensitive change.
	ErrNotFresh = apperr.New(apperr.Unauthenticated, "For your security, confirm your password before making this change.")
	// ErrSecondFactorPending answers a session whose account has a second
	// factor it has not passed yet, where only a finished sign-in may go on
	// (the web adapter sends the browser to the second factor).
	ErrSecondFactorPending = apperr.New(apperr.Unauthenticated, "Confirm your second factor first.")
)

func (s *Service) emailIndex(tenantID, email string) []byte {
	return accounts.EmailIndex(s.vault, tenantID, email)
}

// systemCtx returns ctx acting as the identity system job of a tenant: the
// actor of sign-in flows before anyone is signed in. The audit event names the
// flow, and the account concerned as its subject.
func systemCtx(ctx context.Context, tenantID, flow string) context.Context {
	ctx = tenant.WithScope(ctx, tenantID)
	return access.WithActor(ctx, access.System("identity."+flow, tenantID))
}

// event appends an identity audit event; see accounts.Record for why a
// failure refuses what was being done.
func (s *Service) event(ctx context.Context, e audit.Entry) error {
	return accounts.Record(ctx, s.audit, e)
}

// notFound maps apperr.NotFound to the 404 everyone gets.
func notFound(err error) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.NotFoundError()
	}
	return err
}

// limitsOf returns the throttling rules of an account.
func limitsOf(u accounts.User) auth.Limits {
	if u.Role.Staff() {
		return auth.StaffAccount
	}
	return auth.PatientAccount
}

// throttleOf returns an account's failure record.
func throttleOf(u accounts.User) auth.Throttle {
	return auth.Throttle{Failures: u.Failures, LastFailure: u.LastFailureAt, LockedUntil: u.LockedUntil, NeedsUnlock: u.NeedsUnlock}
}
