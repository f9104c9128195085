package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
)

// Account is an account with its PHI opened: what the profile and admin pages
// show. Its PHI stays wrapped (phi.String) until a page reveals it.
type Account struct {
	ID            string
	TenantID      string
	Role          access.Role
	Status        string // active, disabled, invited
	Email         phi.String
	Name          phi.String
	Phone         phi.String
	EmailVerified bool
	TOTP          bool // a TOTP authenticator is enrolled
	Passkeys      int
	LastLoginAt   time.Time
	DisabledAt    time.Time
	CreatedAt     time.Time
}

// HasSecondFactor reports whether the account can pass MFA.
func (a Account) HasSecondFactor() bool { return a.TOTP || a.Passkeys > 0 }

func hasSecondFactor(u store.UserRow) bool { return u.TOTPSecretCT != nil || u.Passkeys > 0 }

// Link timeouts.
const (
	verifyTTL = 24 * time.Hour
	resetTTL  = 30 * time.Minute
	inviteTTL = 72 * time.Hour
	unlockTTL = 7 * 24 * time.Hour
)

// Token purposes.
const (
	purposeVerify = "verify"
	purposeReset  = "reset"
	purposeUnlock = "unlock"
	purposeInvite = "invite"
)

// Registration is what a patient types to create an account.
type Registration struct {
	Email    string
	Name     string
	Password string
}

func checkName(name string) error {
	if utf8.RuneCountInString(name) > 200 || strings.ContainsAny(name, "\r\n\x00") {
		return apperr.InvalidFields("Check your name.", map[string]string{"name": "Enter your name on one line, at most 200 characters."})
	}
	return nil
}

// Register creates a patient account and emails a verification link. When the
// address already has an account nothing is created and nothing says so: the
// answer is the same, so that the form tells nobody who has an account.
func (s *Service) Register(ctx context.Context, t *tenant.Tenant, baseURL string, reg Registration) error {
	if err := CheckEmail(reg.Email); err != nil {
		return err
	}
	if err := checkName(reg.Name); err != nil {
		return err
	}
	// Patients may sign in with a password alone, so it must be long (NIST
	// SP 800-63B rev. 4: 15 characters for a single factor).
	if err := auth.CheckPassword(reg.Password, false, auth.PasswordContext{Email: reg.Email, TenantName: t.Name}); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, reg.Password)
	if err != nil {
		return err
	}
	userID, err := s.createAccount(systemCtx(ctx, t.ID, "register"), t.ID, access.RolePatient, "active", reg.Email, reg.Name, hash, "user.register")
	if errors.Is(err, apperr.ErrDuplicate) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.sendLink(systemCtx(ctx, t.ID, "register"), t, baseURL, userID, purposeVerify, verifyTTL, "/verify", notify.VerifyEmail, nil)
}

// createAccount seals the identity fields and inserts the account. The actor in
// ctx is recorded as having written the new subject's PHI.
func (s *Service) createAccount(ctx context.Context, tenantID string, role access.Role, status, email, name, passwordHash, action string) (string, error) {
	now := s.clock.Now()
	userID := id.NewAt(now)
	h, err := s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{userID}, Action: access.Write,
		Purpose: access.PurposeSelf, Resource: "user", ResourceID: userID, AuditAction: action})
	if err != nil {
		return "", err
	}
	emailCT, err := h.SealString(userID, "users", "email_ct", userID, strings.TrimSpace(email))
	if err != nil {
		return "", err
	}
	var nameCT []byte
	if name = strings.TrimSpace(name); name != "" {
		if nameCT, err = h.SealString(userID, "users", "name_ct", userID, name); err != nil {
			return "", err
		}
	}
	err = s.users.Insert(ctx, store.UserRow{ID: userID, TenantID: tenantID, Role: string(role), Status: status,
		EmailBidx: s.emailIndex(tenantID, email), EmailCT: emailCT, NameCT: nameCT, PasswordHash: passwordHash,
		CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return "", err
	}
	return userID, nil
}

// sendLink creates a one-time token for an account and queues the email that
// carries it. data is kept with the token (sealed when it is PHI).
func (s *Service) sendLink(ctx context.Context, t *tenant.Tenant, baseURL, userID, purpose string, ttl time.Duration,
	path string, kind notify.Kind, data []byte) error {
	token, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	now := s.clock.Now()
	if err := s.sessions.InsertToken(ctx, store.TokenRow{Hash: hash, TenantID: t.ID, UserID: userID, Purpose: purpose,
		Data: data, CreatedAt: now, ExpiresAt: now.Add(ttl)}); err != nil {
		return err
	}
	u, err := s.users.ByID(ctx, t.ID, userID)
	if err != nil {
		return err
	}
	email, err := s.openEmail(ctx, u, "user.email.read")
	if err != nil {
		return err
	}
	// The token travels in the link's fragment-free query: it is not PHI, it
	// works once, and the page that receives it answers with
	// Referrer-Policy: no-referrer, so it does not leak onwards.
	msg, err := notify.Compose(kind, email.Reveal(), notify.Params{Brand: t.Name, Link: strings.TrimSuffix(baseURL, "/") + path + "?token=" + token})
	if err != nil {
		return err
	}
	return s.outbox.Enqueue(ctx, t.ID, userID, kind, msg)
}

// openEmail opens an account's email address for sending it a message.
func (s *Service) openEmail(ctx context.Context, u store.UserRow, action string) (phi.String, error) {
	h, err := s.vault.Access(ctx, phi.Request{TenantID: u.TenantID, Subjects: []string{u.ID}, Action: access.Read,
		Purpose: access.PurposeOperations, Resource: "user", ResourceID: u.ID, AuditAction: action})
	if err != nil {
		return phi.String{}, err
	}
	return h.OpenString(u.ID, "users", "email_ct", u.ID, u.EmailCT)
}

// Verify spends an email verification link.
func (s *Service) Verify(ctx context.Context, tenantID, token string) error {
	if !auth.ValidToken(token) {
		return ErrBadLink
	}
	now := s.clock.Now()
	ctx = systemCtx(ctx, tenantID, "verify")
	tok, err := s.sessions.UseToken(ctx, tenantID, auth.HashToken(token), purposeVerify, now)
	if apperr.Is(err, apperr.NotFound) {
		return ErrBadLink
	}
	if err != nil {
		return err
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{tok.UserID}, Action: "user.email.verify", ResourceID: tok.UserID}); err != nil {
		return err
	}
	return s.users.SetVerified(ctx, tenantID, tok.UserID, now)
}

// Account returns an account with its PHI opened for the actor in ctx, for a
// purpose. The vault records the access.
func (s *Service) Account(ctx context.Context, tenantID, userID string, purpose access.Purpose) (Account, error) {
	u, err := s.users.ByID(ctx, tenantID, userID)
	if err != nil {
		return Account{}, notFound(err)
	}
	return s.open(ctx, u, purpose)
}

func (s *Service) open(ctx context.Context, u store.UserRow, purpose access.Purpose) (Account, error) {
	h, err := s.vault.Access(ctx, phi.Request{TenantID: u.TenantID, Subjects: []string{u.ID}, Action: access.Read,
		Purpose: purpose, Resource: "user", ResourceID: u.ID, AuditAction: "user.read"})
	if err != nil {
		return Account{}, err
	}
	a := accountOf(u)
	if a.Email, err = h.OpenString(u.ID, "users", "email_ct", u.ID, u.EmailCT); err != nil {
		return Account{}, err
	}
	if u.NameCT != nil {
		if a.Name, err = h.OpenString(u.ID, "users", "name_ct", u.ID, u.NameCT); err != nil {
			return Account{}, err
		}
	}
	if u.PhoneCT != nil {
		if a.Phone, err = h.OpenString(u.ID, "users", "phone_ct", u.ID, u.PhoneCT); err != nil {
			return Account{}, err
		}
	}
	return a, nil
}

// Factors tells which second factors the signed-in account has, without
// opening any of its PHI (pages that only need this must not read the
// person's identity: minimum necessary, and no vault access per view).
func (s *Service) Factors(ctx context.Context, sess Session) (totp bool, passkeys int, err error) {
	u, err := s.users.ByID(ctx, sess.TenantID, sess.UserID)
	if err != nil {
		return false, 0, notFound(err)
	}
	return u.TOTPSecretCT != nil, u.Passkeys, nil
}

// accountOf copies what is not PHI.
func accountOf(u store.UserRow) Account {
	return Account{ID: u.ID, TenantID: u.TenantID, Role: access.Role(u.Role), Status: u.Status,
		EmailVerified: !u.EmailVerifiedAt.IsZero(), TOTP: u.TOTPSecretCT != nil, Passkeys: u.Passkeys,
		LastLoginAt: u.LastLoginAt, DisabledAt: u.DisabledAt, CreatedAt: u.CreatedAt}
}

// Profile is what a person may change about themselves without re-signing in.
type Profile struct {
	Name  string
	Phone string
}

// UpdateProfile seals and stores the signed-in user's name and phone.
func (s *Service) UpdateProfile(ctx context.Context, p Profile) error {
	a, ok := access.ActorFrom(ctx)
	if !ok {
		return apperr.DeniedError(errors.New("no actor"))
	}
	return s.setProfile(ctx, a.TenantID, a.ID, p)
}

// setProfile seals and stores an account's name and phone; the actor in ctx
// is recorded as the writer.
func (s *Service) setProfile(ctx context.Context, tenantID, userID string, p Profile) error {
	if err := checkName(p.Name); err != nil {
		return err
	}
	p.Phone = strings.TrimSpace(p.Phone)
	if len(p.Phone) > 40 || strings.Trim(p.Phone, "0123456789 +-().") != "" {
		return apperr.InvalidFields("Check the phone number.", map[string]string{"phone": "Use digits, spaces and + - ( ) only."})
	}
	h, err := s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{userID}, Action: access.Write,
		Purpose: access.PurposeSelf, Resource: "user", ResourceID: userID, AuditAction: "user.profile.update"})
	if err != nil {
		return err
	}
	var nameCT, phoneCT []byte
	if n := strings.TrimSpace(p.Name); n != "" {
		if nameCT, err = h.SealString(userID, "users", "name_ct", userID, n); err != nil {
			return err
		}
	}
	if p.Phone != "" {
		if phoneCT, err = h.SealString(userID, "users", "phone_ct", userID, p.Phone); err != nil {
			return err
		}
	}
	return s.users.SetProfile(ctx, tenantID, userID, nameCT, phoneCT, s.clock.Now())
}

// ChangePassword sets a new password for the signed-in user. It needs a fresh
// sign-in (the caller checks Fresh) and ends every other session: whoever
// knew the old password is signed out everywhere.
func (s *Service) ChangePassword(ctx context.Context, sess Session, newPassword string) error {
	ctx = acting(ctx, sess)
	u, err := s.users.ByID(ctx, sess.TenantID, sess.UserID)
	if err != nil {
		return notFound(err)
	}
	if !s.policy.FreshAuth(sess.auth(), s.clock.Now()) {
		return ErrNotFresh
	}
	if err := auth.CheckPassword(newPassword, hasSecondFactor(u), auth.PasswordContext{}); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, newPassword)
	if err != nil {
		return err
	}
	if err := s.event(ctx, audit.Entry{TenantID: u.TenantID, Subjects: []string{u.ID}, Action: "user.password.change", ResourceID: u.ID}); err != nil {
		return err
	}
	now := s.clock.Now()
	if err := s.users.SetPassword(ctx, u.TenantID, u.ID, hash, now); err != nil {
		return err
	}
	return s.sessions.RevokeAll(ctx, u.ID, sess.ID, now)
}

// CreateUser creates an active account with a password, for `salve user
// create`: staff (or a patient) set up by an operator. The email counts as
// verified: the operator vouches for it.
func (s *Service) CreateUser(ctx context.Context, tenantID string, role access.Role, email, name, password string) (string, error) {
	if !role.Valid() || role == access.RoleSystem {
		return "", apperr.Errorf(apperr.Invalid, "unknown role %q", role)
	}
	if err := CheckEmail(email); err != nil {
		return "", err
	}
	// Staff must enrol a second factor at first sign-in, so 8 characters are
	// enough for them; a patient's password may be their only factor.
	if err := auth.CheckPassword(password, role.Staff(), auth.PasswordContext{Email: email}); err != nil {
		return "", err
	}
	// An operator's command: saying the address is taken reveals nothing new,
	// and checking first spares a hash.
	if _, err := s.users.ByEmail(ctx, tenantID, s.emailIndex(tenantID, email)); err == nil {
		return "", errEmailTaken
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return "", err
	}
	ctx = systemCtx(ctx, tenantID, "user-create")
	userID, err := s.createAccount(ctx, tenantID, role, "active", email, name, hash, "user.create")
	if errors.Is(err, apperr.ErrDuplicate) {
		return "", errEmailTaken
	}
	if err != nil {
		return "", err
	}
	if err := s.users.SetVerified(ctx, tenantID, userID, s.clock.Now()); err != nil {
		return "", err
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{userID}, Action: "user.role.grant", ResourceID: userID,
		Detail: "role=" + string(role), Purpose: access.PurposeOperations}); err != nil {
		return "", err
	}
	return userID, nil
}

var errEmailTaken = apperr.InvalidFields("That email address already has an account.", map[string]string{"email": "Already registered."})

func errInvalidRole(r access.Role) error {
	return apperr.InvalidFields(fmt.Sprintf("%q is not a role that can be given here.", r), map[string]string{"role": "Choose a staff role."})
}
