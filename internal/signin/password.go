package signin

import (
	"context"
	"errors"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
)

// ChangePassword sets a new password for the signed-in user. It needs a fresh
// sign-in (the caller checks Fresh) and ends every other session: whoever
// knew the old password is signed out everywhere.
func (s *Service) ChangePassword(ctx context.Context, sess Session, newPassword string) error {
	ctx = acting(ctx, sess)
	u, err := s.users.ByID(ctx, sess.TenantID, sess.UserID)
	if err != nil {
		return notFound(err)
	}
	if !s.policy.FreshAuth(sess.Auth(), s.clock.Now()) {
		return ErrNotFresh
	}
	if err := auth.CheckPassword(newPassword, u.HasSecondFactor(), auth.PasswordContext{}); err != nil {
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

// Reauthenticate confirms the signed-in user's password (and, when the
// account has one, a second-factor code) so that sensitive changes may follow
// for the next few minutes.
func (s *Service) Reauthenticate(ctx context.Context, sess Session, password, code string) error {
	ctx = acting(ctx, sess)
	u, err := s.users.ByID(ctx, sess.TenantID, sess.UserID)
	if err != nil {
		return notFound(err)
	}
	ok, _, err := s.hasher.Verify(ctx, password, u.PasswordHash)
	if err != nil && !errors.Is(err, auth.ErrBadHash) {
		return err
	}
	how := "password"
	if ok && u.HasSecondFactor() && u.TOTPSecretCT != nil {
		how, ok, err = s.checkCode(ctx, u, code)
		if err != nil {
			return err
		}
	}
	if err := s.event(ctx, audit.Entry{TenantID: u.TenantID, Subjects: []string{u.ID}, Action: "user.reauth", ResourceID: u.ID,
		Outcome: audit.DeniedIf(!ok), Detail: how}); err != nil {
		return err
	}
	if !ok {
		return apperr.InvalidFields("That did not match. Check your password and code.", map[string]string{"password": "Enter your current password."}) //nolint:gosec // a form message, not a credential
	}
	return s.sessions.MarkAuth(ctx, sess.ID, s.clock.Now(), u.HasSecondFactor())
}

// Fresh reports whether sess signed in, or confirmed its password again,
// recently enough for a sensitive change (the policy's fresh-sign-in
// window). A page that needs it sends the person to /account/reauth first.
func (s *Service) Fresh(sess Session) bool { return s.policy.FreshAuth(sess.Auth(), s.clock.Now()) }
