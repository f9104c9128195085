package identity

import (
	"context"
	"errors"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
)

// Forgot emails a password reset link when the address has an active account.
// The answer is the same whether or not it has one.
func (s *Service) Forgot(ctx context.Context, t *tenant.Tenant, baseURL, email string) error {
	if err := CheckEmail(email); err != nil {
		return err
	}
	ctx = systemCtx(ctx, t.ID, "forgot")
	u, err := s.users.ByEmail(ctx, t.ID, s.emailIndex(t.ID, email))
	if apperr.Is(err, apperr.NotFound) || (err == nil && u.Status != "active") {
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.event(ctx, audit.Entry{TenantID: t.ID, Subjects: []string{u.ID}, Action: "user.password.reset_request", ResourceID: u.ID}); err != nil {
		return err
	}
	return s.sendLink(ctx, t, baseURL, u.ID, purposeReset, resetTTL, "/reset", notify.PasswordReset, nil)
}

// ResetLinkValid reports whether a reset link can still be used (to show the
// form or say the link expired), without spending it.
func (s *Service) ResetLinkValid(ctx context.Context, tenantID, token string) bool {
	if !auth.ValidToken(token) {
		return false
	}
	_, err := s.sessions.PeekToken(ctx, tenantID, auth.HashToken(token), purposeReset, s.clock.Now())
	return err == nil
}

// Reset sets a new password with a reset link. It signs nobody in: the person
// then signs in with the new password and, when the account has one, the
// second factor (a reset never bypasses MFA). Every session of the account
// ends, and a lock from failed attempts is lifted (the mailbox was proven).
func (s *Service) Reset(ctx context.Context, tenantID, token, password string) error {
	if !auth.ValidToken(token) {
		return ErrBadLink
	}
	ctx = systemCtx(ctx, tenantID, "reset")
	now := s.clock.Now()
	peek, err := s.sessions.PeekToken(ctx, tenantID, auth.HashToken(token), purposeReset, now)
	if apperr.Is(err, apperr.NotFound) {
		return ErrBadLink
	}
	if err != nil {
		return err
	}
	u, err := s.users.ByID(ctx, tenantID, peek.UserID)
	if err != nil {
		return ErrBadLink
	}
	// Check the password before spending the link, so a rejected password
	// costs the person nothing.
	if err := auth.CheckPassword(password, hasSecondFactor(u), auth.PasswordContext{}); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	if _, err := s.sessions.UseToken(ctx, tenantID, peek.Hash, purposeReset, now); err != nil {
		return ErrBadLink
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{u.ID}, Action: "user.password.reset", ResourceID: u.ID}); err != nil {
		return err
	}
	if err := s.users.SetPassword(ctx, tenantID, u.ID, hash, now); err != nil {
		return err
	}
	if err := s.users.SetThrottle(ctx, tenantID, u.ID, store.Throttle{}); err != nil {
		return err
	}
	// Resetting through the mailbox also proves the address.
	if u.EmailVerifiedAt.IsZero() {
		if err := s.users.SetVerified(ctx, tenantID, u.ID, now); err != nil {
			return err
		}
	}
	return s.sessions.RevokeAll(ctx, u.ID, "", now)
}

// Unlock lifts a patient's lock with the emailed unlock link.
func (s *Service) Unlock(ctx context.Context, tenantID, token string) error {
	if !auth.ValidToken(token) {
		return ErrBadLink
	}
	ctx = systemCtx(ctx, tenantID, "unlock")
	tok, err := s.sessions.UseToken(ctx, tenantID, auth.HashToken(token), purposeUnlock, s.clock.Now())
	if apperr.Is(err, apperr.NotFound) {
		return ErrBadLink
	}
	if err != nil {
		return err
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{tok.UserID}, Action: "user.unlock", ResourceID: tok.UserID}); err != nil {
		return err
	}
	return s.users.SetThrottle(ctx, tenantID, tok.UserID, store.Throttle{})
}

// Invite creates an invited staff account and emails its invitation link. The
// actor in ctx (an admin) is recorded.
func (s *Service) Invite(ctx context.Context, t *tenant.Tenant, baseURL, email string, role access.Role) (string, error) {
	if !role.Staff() {
		return "", errInvalidRole(role)
	}
	if err := CheckEmail(email); err != nil {
		return "", err
	}
	userID, err := s.createAccount(ctx, t.ID, role, "invited", email, "", "", "user.invite")
	if errors.Is(err, apperr.ErrDuplicate) {
		return "", errEmailTaken
	}
	if err != nil {
		return "", err
	}
	if err := s.event(ctx, audit.Entry{TenantID: t.ID, Subjects: []string{userID}, Action: "user.role.grant", ResourceID: userID,
		Detail: "role=" + string(role), Purpose: access.PurposeOperations}); err != nil {
		return "", err
	}
	return userID, s.sendLink(ctx, t, baseURL, userID, purposeInvite, inviteTTL, "/invite", notify.StaffInvite, nil)
}

// InviteValid reports whether an invitation link can still be used.
func (s *Service) InviteValid(ctx context.Context, tenantID, token string) bool {
	if !auth.ValidToken(token) {
		return false
	}
	_, err := s.sessions.PeekToken(ctx, tenantID, auth.HashToken(token), purposeInvite, s.clock.Now())
	return err == nil
}

// AcceptInvite sets the invited person's name and password and activates the
// account. The person then signs in and must enrol a second factor.
func (s *Service) AcceptInvite(ctx context.Context, tenantID, token, name, password string) error {
	if !auth.ValidToken(token) {
		return ErrBadLink
	}
	if err := checkName(name); err != nil {
		return err
	}
	// Staff always end up with a second factor, so 8 characters suffice.
	if err := auth.CheckPassword(password, true, auth.PasswordContext{}); err != nil {
		return err
	}
	ctx = systemCtx(ctx, tenantID, "invite")
	now := s.clock.Now()
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	tok, err := s.sessions.UseToken(ctx, tenantID, auth.HashToken(token), purposeInvite, now)
	if apperr.Is(err, apperr.NotFound) {
		return ErrBadLink
	}
	if err != nil {
		return err
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{tok.UserID}, Action: "user.invite.accept", ResourceID: tok.UserID}); err != nil {
		return err
	}
	if err := s.users.SetPassword(ctx, tenantID, tok.UserID, hash, now); err != nil {
		return err
	}
	if err := s.users.SetVerified(ctx, tenantID, tok.UserID, now); err != nil {
		return err
	}
	if err := s.users.SetStatus(ctx, tenantID, tok.UserID, "active", "", now); err != nil {
		return err
	}
	if name != "" {
		return s.setProfile(ctx, tenantID, tok.UserID, Profile{Name: name})
	}
	return nil
}
