// Package accounts is the people Salve knows: patients who register and
// confirm their address, staff an operator creates or an admin invites, their
// profiles, the staff administration (roles, disabling, inactivity), the
// one-time links emailed to them, and the security alerts sent to a tenant's
// security contact. How people prove who they are is package signin; what
// they may reach of each other's data is package grants.
//
// Names, email addresses and phone numbers are PHI: they go into the PHI store
// only sealed by the vault, and an account is found by the blind index of its
// email address.
package accounts

import (
	"context"
	"net/mail"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Account statuses.
const (
	StatusActive   = "active"
	StatusDisabled = "disabled"
	StatusInvited  = "invited" // waiting for the invitation to be accepted
)

// User is an account as stored: its PHI fields are vault ciphertext. Sign-in
// and grants read it too.
type User struct {
	ID        string
	TenantID  string
	Role      access.Role
	Status    string // StatusActive, StatusDisabled, StatusInvited
	EmailBidx []byte
	EmailCT   []byte
	NameCT    []byte
	// DOBCT is the date of birth (YYYY-MM-DD), sealed; nil when not given.
	DOBCT   []byte
	PhoneCT []byte
	// DetailsCT is the rest of the profile (Details as JSON), sealed; nil
	// until it is saved.
	DetailsCT       []byte
	EmailVerifiedAt time.Time
	PasswordHash    string
	TOTPSecretCT    []byte
	TOTPLastStep    int64
	MFAEnrolledAt   time.Time
	Failures        int
	LastFailureAt   time.Time
	LockedUntil     time.Time
	NeedsUnlock     bool
	LastLoginAt     time.Time
	DisabledAt      time.Time
	DisabledReason  string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// Passkeys is how many passkeys the account has (filled by the lookups).
	Passkeys int
}

// HasSecondFactor reports whether the account can pass MFA.
func (u User) HasSecondFactor() bool { return u.TOTPSecretCT != nil || u.Passkeys > 0 }

// Store keeps accounts (internal/store.Users). Lookups answer apperr
// NotFound for a missing account.
type Store interface {
	// Insert adds an account; a Conflict carrying apperr.ErrDuplicate when the
	// tenant already has the email address.
	Insert(ctx context.Context, u User) error
	// ByEmail finds the account of a tenant with an email blind index.
	ByEmail(ctx context.Context, tenantID string, bidx []byte) (User, error)
	// ByID finds an account of a tenant.
	ByID(ctx context.Context, tenantID, userID string) (User, error)
	// List returns a tenant's accounts, staff first, oldest first; role
	// filters when not empty.
	List(ctx context.Context, tenantID string, role access.Role, limit int) ([]User, error)
	SetPassword(ctx context.Context, tenantID, userID, hash string, now time.Time) error
	// SetProfile stores name and phone ciphertext.
	SetProfile(ctx context.Context, tenantID, userID string, nameCT, phoneCT []byte, now time.Time) error
	// SetNameIndex stores the blind index of an account's full name (nil
	// when it has none), by which staff find a patient.
	SetNameIndex(ctx context.Context, tenantID, userID string, bidx []byte) error
	// SetDOB stores the sealed date of birth and its blind index (both nil
	// to clear it).
	SetDOB(ctx context.Context, tenantID, userID string, dobCT, bidx []byte) error
	// SetDetails stores the sealed rest of the profile (Details).
	SetDetails(ctx context.Context, tenantID, userID string, detailsCT []byte, now time.Time) error
	// SetVerified marks the email address verified.
	SetVerified(ctx context.Context, tenantID, userID string, now time.Time) error
	SetRole(ctx context.Context, tenantID, userID string, role access.Role, now time.Time) error
	// SetStatus enables or disables an account. Disabling revokes every
	// session of the account in the same transaction, so no request of the
	// account passes after it returns.
	SetStatus(ctx context.Context, tenantID, userID, status, reason string, now time.Time) error
	// InactiveStaff lists active staff accounts of every tenant whose last
	// sign-in, or creation when they never signed in, is before cutoff.
	InactiveStaff(ctx context.Context, cutoff time.Time) ([]User, error)
}

// Token is a one-time token as stored: the hash of what a link carries, what
// it is for and whose it is. Data is kept with it (sealed when it is PHI).
type Token struct {
	Hash      string
	TenantID  string
	UserID    string
	Purpose   string
	Data      []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Tokens keeps one-time tokens (internal/store.Tokens).
type Tokens interface {
	// Insert stores a token, replacing earlier unused tokens of the same user
	// and purpose (only the newest link works).
	Insert(ctx context.Context, t Token) error
	// Use spends a token of a purpose in a tenant: it must exist, be unused
	// and unexpired, else NotFound. Atomic, so a token works once however
	// many requests race.
	Use(ctx context.Context, tenantID, hash, purpose string, now time.Time) (Token, error)
	// Peek finds a token like Use without spending it.
	Peek(ctx context.Context, tenantID, hash, purpose string, now time.Time) (Token, error)
}

// Sessions ends an account's sessions (internal/store.Sessions, the sign-in
// sessions).
type Sessions interface {
	// RevokeAll ends every session of a user except keep (which may be empty).
	RevokeAll(ctx context.Context, userID, keep string, now time.Time) error
}

// Outbox queues an email (internal/outbox).
type Outbox interface {
	Enqueue(ctx context.Context, tenantID, subjectID string, kind notify.Kind, m notify.Message) error
}

// Vault is what accounts take from the vault: audited handles on people's
// PHI, and the blind index that finds an account by its email address.
type Vault interface {
	phi.Vault
	phi.Indexer
}

// Deps are what the service is built on; server wires them.
type Deps struct {
	Users    Store
	Tokens   Tokens
	Sessions Sessions
	Vault    Vault
	Audit    audit.Appender
	Outbox   Outbox
	// Hasher hashes passwords. Sign-in shares it, so that its bound on
	// concurrent hashes (each holds tens of MiB) holds for the whole process.
	Hasher *auth.Hasher
	Clock  clock.Clock
	// StaffInactivity disables staff accounts unused this long (default 90 days).
	StaffInactivity time.Duration
	// After does work after the answer (jobs.After): see Register. Nil does
	// it before answering, as tests of the service alone want.
	After Later
	// Registered is called, after the answer, for each patient account
	// registration creates, with its address's blind index: grants claims
	// the proxy invitations waiting for that address
	// (grants.Service.ClaimProxyInvites). Nil does nothing.
	Registered func(ctx context.Context, tenantID, userID string, emailBidx []byte) error
}

// Later runs work after a request's answer (jobs.After).
type Later interface {
	Go(ctx context.Context, name string, fn func(context.Context) error)
}

// AfterAnswer runs fn through l after the answer, or at once when l is nil
// (and then returns its error).
func AfterAnswer(ctx context.Context, l Later, name string, fn func(context.Context) error) error {
	if l == nil {
		return fn(ctx)
	}
	l.Go(ctx, name, fn)
	return nil
}

// Service runs accounts on the PHI store.
type Service struct {
	users           Store
	tokens          Tokens
	sessions        Sessions
	vault           Vault
	audit           audit.Appender
	outbox          Outbox
	hasher          *auth.Hasher
	clock           clock.Clock
	staffInactivity time.Duration
	after           Later
	registered      func(ctx context.Context, tenantID, userID string, emailBidx []byte) error
}

// New returns the service; zero fields of d take the defaults (the system
// clock, production Argon2id, 90 days of staff inactivity).
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Hasher == nil {
		d.Hasher = auth.NewHasher(auth.DefaultArgon2())
	}
	if d.StaffInactivity == 0 {
		d.StaffInactivity = 90 * 24 * time.Hour
	}
	return &Service{users: d.Users, tokens: d.Tokens, sessions: d.Sessions, vault: d.Vault, audit: d.Audit, outbox: d.Outbox,
		hasher: d.Hasher, clock: d.Clock, staffInactivity: d.StaffInactivity, after: d.After,
		registered: d.Registered}
}

// ErrBadLink answers a verification, reset, unlock or invitation link that is
// wrong, used or expired.
var ErrBadLink = apperr.New(apperr.Invalid, "This link is not valid any more. Links work once and expire; ask for a new one.")

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

// EmailIndex is the blind index that finds an account by its address in a
// tenant (the address normalized first).
func EmailIndex(ix phi.Indexer, tenantID, email string) []byte {
	return ix.BlindIndex(tenantID, "email", NormalizeEmail(email))
}

// NormalizeName returns the form of a full name used for its blind index:
// lower-cased, with runs of spaces made one, so that "Ada  Lovelace" and
// "ada lovelace" find the same person.
func NormalizeName(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// NameIndex is the blind index that finds an account by its full name in a
// tenant (exact match after NormalizeName); nil for an empty name.
func NameIndex(ix phi.Indexer, tenantID, name string) []byte {
	if n := NormalizeName(name); n != "" {
		return ix.BlindIndex(tenantID, "name", n)
	}
	return nil
}

// DOBIndex is the blind index that finds an account by its date of birth
// (YYYY-MM-DD) in a tenant; nil for none.
func DOBIndex(ix phi.Indexer, tenantID, dob string) []byte {
	if dob = strings.TrimSpace(dob); dob != "" {
		return ix.BlindIndex(tenantID, "dob", dob)
	}
	return nil
}

// CheckDOB validates a date of birth typed into a form: YYYY-MM-DD, not in
// the future, not before 1900. Empty is allowed (the field is optional).
func CheckDOB(dob string, now time.Time) error {
	dob = strings.TrimSpace(dob)
	if dob == "" {
		return nil
	}
	d, err := time.Parse(time.DateOnly, dob)
	if err != nil || d.After(now) || d.Year() < 1900 {
		return apperr.InvalidFields("Check the date of birth.", map[string]string{"dob": "Enter a real date, such as 1980-04-23."})
	}
	return nil
}

func (s *Service) emailIndex(tenantID, email string) []byte {
	return EmailIndex(s.vault, tenantID, email)
}

// systemCtx returns ctx acting as the identity system job of a tenant: the
// actor of flows before anyone is signed in. The audit event names the flow,
// and the account concerned as its subject.
func systemCtx(ctx context.Context, tenantID, flow string) context.Context {
	ctx = tenant.WithScope(ctx, tenantID)
	return access.WithActor(ctx, access.System("identity."+flow, tenantID))
}

// Record records an identity event (of accounts, sign-in or grants). Why
// fail closed: a sign-in or a security change that cannot be recorded must
// not happen, so the caller returns this error and the change is refused.
func Record(ctx context.Context, a audit.Appender, e audit.Entry) error {
	if e.ResourceType == "" {
		e.ResourceType = "user"
	}
	if e.Purpose == "" {
		e.Purpose = access.PurposeSelf
	}
	if err := a.Append(ctx, e); err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "Salve cannot record this right now, so it was not done. Try again in a minute.")
	}
	return nil
}

func (s *Service) event(ctx context.Context, e audit.Entry) error { return Record(ctx, s.audit, e) }

// notFound maps apperr.NotFound to the 404 everyone gets.
func notFound(err error) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.NotFoundError()
	}
	return err
}
