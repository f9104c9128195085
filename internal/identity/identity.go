// Package identity is who people are and how they prove it: accounts, email
// verification, passwords, sessions, second factors (TOTP, recovery codes),
// throttling and lockout, staff invitations, roles, care relationships, proxy
// grants and break-glass, and the guard that enforces route classes.
//
// Names, email addresses and phone numbers are PHI: they go into the PHI store
// only sealed by the vault, and an account is found by the blind index of its
// email address. Every sign-in event is an audit event.
package identity

import (
	"context"
	"log/slog"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/store"
)

// Vault is what identity takes from the vault: audited handles on people's
// PHI, and the blind index that finds an account by its email address.
type Vault interface {
	phi.Vault
	phi.Indexer
}

// Service runs identity on the PHI store.
type Service struct {
	users    *store.Users
	sessions *store.Sessions
	links    *store.Links
	sso      *store.SSO
	passkeys *store.Passkeys
	// ssoCache holds discovered single sign-on providers by tenant.
	ssoCache sync.Map
	vault    Vault
	audit    audit.Appender
	outbox   *outbox.Outbox
	clock    clock.Clock
	hasher   *auth.Hasher
	policy   auth.SessionPolicy
	log      *slog.Logger
	opts     Options
}

// Options tune the service; zero fields take the defaults.
type Options struct {
	Clock  clock.Clock
	Log    *slog.Logger
	Argon2 auth.Argon2Params
	// Sessions are the session lifetimes (idle, absolute, freshness).
	Sessions auth.SessionPolicy
	// StaffInactivity disables staff accounts unused this long (default 90 days).
	StaffInactivity time.Duration
	// Burst is the tenant-wide failed sign-in alert rule.
	Burst auth.Burst
	// OIDC discovers single sign-on providers (internal/oidc); without it
	// single sign-on is unavailable.
	OIDC OIDC
}

// New returns the service.
func New(phiDB *store.DB, v Vault, log audit.Appender, ob *outbox.Outbox, opts Options) *Service {
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Argon2 == (auth.Argon2Params{}) {
		opts.Argon2 = auth.DefaultArgon2()
	}
	if opts.Sessions == (auth.SessionPolicy{}) {
		opts.Sessions = auth.DefaultSessionPolicy()
	}
	if opts.StaffInactivity == 0 {
		opts.StaffInactivity = 90 * 24 * time.Hour
	}
	if opts.Burst == (auth.Burst{}) {
		opts.Burst = auth.DefaultBurst
	}
	return &Service{
		users: store.NewUsers(phiDB), sessions: store.NewSessions(phiDB), links: store.NewLinks(phiDB), sso: store.NewSSO(phiDB), passkeys: store.NewPasskeys(phiDB),
		vault: v, audit: log, outbox: ob, clock: opts.Clock, hasher: auth.NewHasher(opts.Argon2),
		policy: opts.Sessions, log: opts.Log, opts: opts,
	}
}

// Policy returns the session lifetimes.
func (s *Service) Policy() auth.SessionPolicy { return s.policy }

// Clock returns the service's clock.
func (s *Service) Clock() clock.Clock { return s.clock }

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
	// ErrBadLink answers a verification, reset, unlock or invitation link that
	// is wrong, used or expired.
	ErrBadLink = apperr.New(apperr.Invalid, "This link is not valid any more. Links work once and expire; ask for a new one.")
	// ErrNotFresh asks the user to sign in again before a sensitive change.
	ErrNotFresh = apperr.New(apperr.Unauthenticated, "For your security, confirm your password before making this change.")
)

// NormalizeEmail returns the form of an address used for the blind index:
// trimmed and lower-cased (the local part of almost every provider is case
// insensitive, and people type it both ways).
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CheckEmail validates an address typed into a form.
func CheckEmail(s string) error {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
		return apperr.InvalidFields("Check the email address.", map[string]string{"email": "Enter an email address such as name@example.com."})
	}
	return nil
}

// emailIndex is the blind index of an address in a tenant.
func (s *Service) emailIndex(tenantID, email string) []byte {
	return s.vault.BlindIndex(tenantID, "email", NormalizeEmail(email))
}

// systemCtx returns ctx acting as the identity system job of a tenant: the
// actor of sign-in flows before anyone is signed in. The audit event names the
// flow, and the account concerned as its subject.
func systemCtx(ctx context.Context, tenantID, flow string) context.Context {
	return access.WithActor(ctx, access.System("identity."+flow, tenantID))
}

// event appends an identity audit event. Why fail closed: a sign-in or a
// security change that cannot be recorded must not happen, so the caller
// returns this error and the change is refused.
func (s *Service) event(ctx context.Context, e audit.Entry) error {
	if e.ResourceType == "" {
		e.ResourceType = "user"
	}
	if e.Outcome == "" {
		e.Outcome = audit.Allowed
	}
	if e.Severity == "" {
		e.Severity = audit.Normal
	}
	if e.Purpose == "" {
		e.Purpose = access.PurposeSelf
	}
	if err := s.audit.Append(ctx, e); err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "Salve cannot record this right now, so it was not done. Try again in a minute.")
	}
	return nil
}

// notFound maps apperr.NotFound to the 404 everyone gets.
func notFound(err error) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.NotFoundError()
	}
	return err
}
