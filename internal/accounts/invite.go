package accounts

import (
	"context"
	"errors"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/tenant"
)

// Invite creates an invited staff account and emails its invitation link. The
// actor in ctx (an admin) is recorded.
func (s *Service) Invite(ctx context.Context, t *tenant.Tenant, baseURL, email string, role access.Role) (string, error) {
	if !role.Staff() {
		return "", errInvalidRole(role)
	}
	if err := CheckEmail(email); err != nil {
		return "", err
	}
	userID, err := s.createAccount(ctx, t.ID, role, StatusInvited, email, "", "", "user.invite")
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
	return userID, s.SendLink(ctx, t, baseURL, userID, PurposeInvite)
}

// InviteValid reports whether an invitation link can still be used.
func (s *Service) InviteValid(ctx context.Context, tenantID, token string) bool {
	ctx = tenant.WithScope(ctx, tenantID)
	if !auth.ValidToken(token) {
		return false
	}
	_, err := s.tokens.Peek(ctx, tenantID, auth.HashToken(token), PurposeInvite, s.clock.Now())
	return err == nil
}

// AcceptInvite sets the invited person's name and password and activates the
// account. The person then signs in and must enrol a second factor.
func (s *Service) AcceptInvite(ctx context.Context, tenantID, token, name, password string) error {
	ctx = tenant.WithScope(ctx, tenantID)
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
	tok, err := s.tokens.Use(ctx, tenantID, auth.HashToken(token), PurposeInvite, now)
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
	if err := s.users.SetStatus(ctx, tenantID, tok.UserID, StatusActive, "", now); err != nil {
		return err
	}
	if name != "" {
		return s.setProfile(ctx, tenantID, tok.UserID, Profile{Name: name}, access.PurposeSelf, "user.profile.update")
	}
	return nil
}
