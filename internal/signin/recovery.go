package signin

import (
	"context"

	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/tenant"
)

// Forgot emails a password reset link when the address has an active account.
// The answer is the same whether or not it has one, and so is the work done
// before it: only the address's format is checked, and the rest (look the
// account up, record the request, queue the email) is done after the answer
// in both cases. Why: an address with an account did that work before
// answering and one without did not, so the answer took 4 times longer for
// the first (issue 14); see jobs.After for why not equal work instead.
func (s *Service) Forgot(ctx context.Context, t *tenant.Tenant, baseURL, email string) error {
	if err := accounts.CheckEmail(email); err != nil {
		return err
	}
	ctx = systemCtx(ctx, t.ID, "forgot")
	return accounts.AfterAnswer(ctx, s.after, "signin.forgot", func(ctx context.Context) error { return s.forgot(ctx, t, baseURL, email) })
}

// forgot is the part of Forgot done after the answer.
func (s *Service) forgot(ctx context.Context, t *tenant.Tenant, baseURL, email string) error {
	u, err := s.users.ByEmail(ctx, t.ID, s.emailIndex(t.ID, email))
	if apperr.Is(err, apperr.NotFound) || (err == nil && u.Status != accounts.StatusActive) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.event(ctx, audit.Entry{TenantID: t.ID, Subjects: []string{u.ID}, Action: "user.password.reset_request", ResourceID: u.ID}); err != nil {
		return err
	}
	return s.accounts.SendLink(ctx, t, baseURL, u.ID, accounts.PurposeReset)
}

// ResetLinkValid reports whether a reset link can still be used (to show the
// form or say the link expired), without spending it.
func (s *Service) ResetLinkValid(ctx context.Context, tenantID, token string) bool {
	ctx = tenant.WithScope(ctx, tenantID)
	if !auth.ValidToken(token) {
		return false
	}
	_, err := s.tokens.Peek(ctx, tenantID, auth.HashToken(token), accounts.PurposeReset, s.clock.Now())
	return err == nil
}

// Reset sets a new password with a reset link. It signs nobody in: the person
// then signs in with the new password and, when the account has one, the
// second factor (a reset never bypasses MFA). Every session of the account
// ends, and a lock from failed attempts is lifted (the mailbox was proven).
func (s *Service) Reset(ctx context.Context, tenantID, token, password string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if !auth.ValidToken(token) {
		return accounts.ErrBadLink
	}
	ctx = systemCtx(ctx, tenantID, "reset")
	now := s.clock.Now()
	peek, err := s.tokens.Peek(ctx, tenantID, auth.HashToken(token), accounts.PurposeReset, now)
	if apperr.Is(err, apperr.NotFound) {
		return accounts.ErrBadLink
	}
	if err != nil {
		return err
	}
	u, err := s.users.ByID(ctx, tenantID, peek.UserID)
	if err != nil {
		return accounts.ErrBadLink
	}
	// Check the password before spending the link, so a rejected password
	// costs the person nothing.
	if err := auth.CheckPassword(password, u.HasSecondFactor(), auth.PasswordContext{}); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	if _, err := s.tokens.Use(ctx, tenantID, peek.Hash, accounts.PurposeReset, now); err != nil {
		return accounts.ErrBadLink
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{u.ID}, Action: "user.password.reset", ResourceID: u.ID}); err != nil {
		return err
	}
	if err := s.users.SetPassword(ctx, tenantID, u.ID, hash, now); err != nil {
		return err
	}
	if err := s.users.SetThrottle(ctx, tenantID, u.ID, auth.Throttle{}); err != nil {
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
	ctx = tenant.WithScope(ctx, tenantID)
	if !auth.ValidToken(token) {
		return accounts.ErrBadLink
	}
	ctx = systemCtx(ctx, tenantID, "unlock")
	tok, err := s.tokens.Use(ctx, tenantID, auth.HashToken(token), accounts.PurposeUnlock, s.clock.Now())
	if apperr.Is(err, apperr.NotFound) {
		return accounts.ErrBadLink
	}
	if err != nil {
		return err
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{tok.UserID}, Action: "user.unlock", ResourceID: tok.UserID}); err != nil {
		return err
	}
	return s.users.SetThrottle(ctx, tenantID, tok.UserID, auth.Throttle{})
}
