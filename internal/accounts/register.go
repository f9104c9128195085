package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
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
//
// Why after the answer: the two cases do different work (a new account
// writes its row and queues an email, a taken address does neither), so
// their timing would tell them apart. Only what depends on the input alone
// (its format, the password rules) is checked before answering; the hash,
// the account and the email are done after it, the same hand-off for both
// (see jobs.After).
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
	return AfterAnswer(ctx, s.after, "accounts.register", func(ctx context.Context) error { return s.register(ctx, t, baseURL, reg) })
}

// register is the part of Register done after the answer.
func (s *Service) register(ctx context.Context, t *tenant.Tenant, baseURL string, reg Registration) error {
	hash, err := s.hasher.Hash(ctx, reg.Password)
	if err != nil {
		return err
	}
	userID, err := s.createAccount(systemCtx(ctx, t.ID, "register"), t.ID, access.RolePatient, StatusActive, reg.Email, reg.Name, hash, "user.register")
	if errors.Is(err, apperr.ErrDuplicate) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.SendLink(systemCtx(ctx, t.ID, "register"), t, baseURL, userID, PurposeVerify); err != nil {
		return err
	}
	if s.registered == nil {
		return nil
	}
	return s.registered(systemCtx(ctx, t.ID, "register"), t.ID, userID, s.emailIndex(t.ID, reg.Email))
}

// createAccount seals the identity fields and inserts the account. The actor in
// ctx is recorded as having written the new subject's PHI.
func (s *Service) createAccount(ctx context.Context, tenantID string, role access.Role, status, email, name, passwordHash, action string) (string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
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
	err = s.users.Insert(ctx, User{ID: userID, TenantID: tenantID, Role: role, Status: status,
		EmailBidx: s.emailIndex(tenantID, email), EmailCT: emailCT, NameCT: nameCT, PasswordHash: passwordHash,
		CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return "", err
	}
	if err := s.users.SetNameIndex(ctx, tenantID, userID, NameIndex(s.vault, tenantID, name)); err != nil {
		return "", err
	}
	return userID, nil
}

// Verify spends an email verification link.
func (s *Service) Verify(ctx context.Context, tenantID, token string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if !auth.ValidToken(token) {
		return ErrBadLink
	}
	now := s.clock.Now()
	ctx = systemCtx(ctx, tenantID, "verify")
	tok, err := s.tokens.Use(ctx, tenantID, auth.HashToken(token), PurposeVerify, now)
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

// CreateUser creates an active account with a password, for `salve user
// create`: staff (or a patient) set up by an operator. The email counts as
// verified: the operator vouches for it.
func (s *Service) CreateUser(ctx context.Context, tenantID string, role access.Role, email, name, password string) (string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
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
	return s.createUser(ctx, tenantID, role, email, name, hash)
}

// createUser stores an operator-made account with its password hash, verified
// and with its role granted.
func (s *Service) createUser(ctx context.Context, tenantID string, role access.Role, email, name, hash string) (string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	ctx = systemCtx(ctx, tenantID, "user-create")
	userID, err := s.createAccount(ctx, tenantID, role, StatusActive, email, name, hash, "user.create")
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
