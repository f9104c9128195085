package signin

import (
	"context"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

const (
	purposeTOTPEnrol = "totp_enrol"
	totpEnrolTTL     = 15 * time.Minute
)

// totpHandle opens the vault for an account's TOTP secret.
func (s *Service) totpHandle(ctx context.Context, tenantID, userID string, act access.Action, action string) (phi.Handle, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{userID}, Action: act,
		Purpose: access.PurposeSelf, Resource: "user", ResourceID: userID, AuditAction: action})
}

// VerifySecondFactor checks a TOTP code or a recovery code for a session that
// passed its password. On success the session is replaced by a new one that
// records the second factor (a new token on every privilege change) and its
// token is returned. Failures count towards the account's lockout like wrong
// passwords.
func (s *Service) VerifySecondFactor(ctx context.Context, sess Session, code string) (string, Session, error) {
	ctx = acting(ctx, sess)
	u, err := s.users.ByID(ctx, sess.TenantID, sess.UserID)
	if err != nil {
		return "", Session{}, notFound(err)
	}
	now := s.clock.Now()
	limits := limitsOf(u)
	th := throttleOf(u)
	if limits.RetryAfter(th, now) > 0 || limits.Locked(th, now) {
		return "", Session{}, ErrTooMany
	}
	how, ok, err := s.checkCode(ctx, u, code)
	if err != nil {
		return "", Session{}, err
	}
	if !ok {
		next, justLocked := limits.Failed(th, now)
		if err := s.users.SetThrottle(ctx, u.TenantID, u.ID, next); err != nil {
			return "", Session{}, err
		}
		if err := s.event(ctx, audit.Entry{TenantID: u.TenantID, Subjects: []string{u.ID}, Action: "user.mfa", ResourceID: u.ID,
			Outcome: audit.Denied, Severity: audit.HighIf(justLocked), Detail: "wrong code"}); err != nil {
			return "", Session{}, err
		}
		return "", Session{}, ErrBadCode
	}
	if err := s.event(ctx, audit.Entry{TenantID: u.TenantID, Subjects: []string{u.ID}, Action: "user.mfa", ResourceID: u.ID, Detail: how}); err != nil {
		return "", Session{}, err
	}
	if err := s.users.SetLastLogin(ctx, u.TenantID, u.ID, now); err != nil {
		return "", Session{}, err
	}
	return s.elevate(ctx, sess, u)
}

// checkCode tells a valid TOTP code (each time step once) or an unused recovery
// code. how names which.
func (s *Service) checkCode(ctx context.Context, u accounts.User, code string) (how string, ok bool, err error) {
	code = strings.TrimSpace(code)
	if len(code) == auth.TOTPDigits && u.TOTPSecretCT != nil {
		h, err := s.totpHandle(ctx, u.TenantID, u.ID, access.Read, "user.totp.read")
		if err != nil {
			return "", false, err
		}
		secret, err := h.OpenString(u.ID, "users", "totp_secret_ct", u.ID, u.TOTPSecretCT)
		if err != nil {
			return "", false, err
		}
		step, good := auth.VerifyTOTP(secret.Reveal(), code, s.clock.Now(), u.TOTPLastStep)
		if !good {
			return "", false, nil
		}
		// Replay protection: the step is spent atomically, so the same code
		// cannot pass twice, even in two racing requests.
		fresh, err := s.users.UseTOTPStep(ctx, u.TenantID, u.ID, step)
		return "totp", fresh, err
	}
	if len(code) >= 16 {
		used, err := s.users.UseRecoveryCode(ctx, u.ID, auth.HashRecoveryCode(code), s.clock.Now())
		return "recovery code", used, err
	}
	return "", false, nil
}

// elevate replaces a session by one that passed the second factor now. The new
// session keeps the old one's start, so the absolute timeout still counts from
// the first sign-in.
func (s *Service) elevate(ctx context.Context, old Session, u accounts.User) (string, Session, error) {
	token, hash, err := auth.NewToken()
	if err != nil {
		return "", Session{}, err
	}
	now := s.clock.Now()
	sess := Session{ID: hash, TenantID: old.TenantID, UserID: old.UserID, Role: old.Role, CreatedAt: old.CreatedAt,
		LastSeenAt: now, MFAAt: now, AuthAt: now, Device: old.Device}
	if err := s.sessions.Insert(ctx, sess); err != nil {
		return "", Session{}, err
	}
	if err := s.sessions.Revoke(ctx, old.UserID, old.ID, now); err != nil && !apperr.Is(err, apperr.NotFound) {
		return "", Session{}, err
	}
	return token, withStage(sess, true), nil
}

// TOTPEnrolment is a TOTP key being set up: shown as a QR code and as text.
type TOTPEnrolment struct {
	Secret string // base32, for typing into an authenticator
	URL    string // otpauth:// URL, for the QR code
}

// BeginTOTP creates a new TOTP secret for the signed-in user and keeps it,
// sealed, until ConfirmTOTP proves the authenticator has it. Replacing an
// existing authenticator needs a fresh sign-in.
func (s *Service) BeginTOTP(ctx context.Context, sess Session, issuer string) (TOTPEnrolment, error) {
	ctx = acting(ctx, sess)
	if err := enrolAllowed(sess); err != nil {
		return TOTPEnrolment{}, err
	}
	u, err := s.users.ByID(ctx, sess.TenantID, sess.UserID)
	if err != nil {
		return TOTPEnrolment{}, notFound(err)
	}
	if u.HasSecondFactor() && !s.policy.FreshAuth(sess.Auth(), s.clock.Now()) {
		return TOTPEnrolment{}, ErrNotFresh
	}
	acct, err := s.accounts.Account(ctx, u.TenantID, u.ID, access.PurposeSelf)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	key, err := auth.NewTOTPKey(issuer, acct.Email.Reveal())
	if err != nil {
		return TOTPEnrolment{}, err
	}
	h, err := s.totpHandle(ctx, u.TenantID, u.ID, access.Write, "user.totp.begin")
	if err != nil {
		return TOTPEnrolment{}, err
	}
	ct, err := h.SealString(u.ID, "auth_tokens", "data", "totp:"+sess.ID, key.Secret())
	if err != nil {
		return TOTPEnrolment{}, err
	}
	now := s.clock.Now()
	err = s.tokens.Insert(ctx, accounts.Token{Hash: auth.HashToken("totp:" + sess.ID), TenantID: u.TenantID, UserID: u.ID,
		Purpose: purposeTOTPEnrol, Data: ct, CreatedAt: now, ExpiresAt: now.Add(totpEnrolTTL)})
	if err != nil {
		return TOTPEnrolment{}, err
	}
	return TOTPEnrolment{Secret: key.Secret(), URL: key.URL()}, nil
}

// enrolAllowed refuses factor enrolment to a session whose account has a
// second factor it has not passed. Why: otherwise a stolen password alone
// could replace the authenticator and so bypass it.
func enrolAllowed(sess Session) error {
	if sess.Stage == auth.StageNeedsMFA {
		return ErrSecondFactorPending
	}
	return nil
}

// PendingTOTP returns the enrolment BeginTOTP started in this session, if any.
func (s *Service) PendingTOTP(ctx context.Context, sess Session, issuer string) (TOTPEnrolment, bool, error) {
	ctx = acting(ctx, sess)
	if err := enrolAllowed(sess); err != nil {
		return TOTPEnrolment{}, false, err
	}
	tok, err := s.tokens.Peek(ctx, sess.TenantID, auth.HashToken("totp:"+sess.ID), purposeTOTPEnrol, s.clock.Now())
	if apperr.Is(err, apperr.NotFound) {
		return TOTPEnrolment{}, false, nil
	}
	if err != nil {
		return TOTPEnrolment{}, false, err
	}
	h, err := s.totpHandle(ctx, sess.TenantID, sess.UserID, access.Read, "user.totp.read")
	if err != nil {
		return TOTPEnrolment{}, false, err
	}
	secret, err := h.OpenString(sess.UserID, "auth_tokens", "data", "totp:"+sess.ID, tok.Data)
	if err != nil {
		return TOTPEnrolment{}, false, err
	}
	acct, err := s.accounts.Account(ctx, sess.TenantID, sess.UserID, access.PurposeSelf)
	if err != nil {
		return TOTPEnrolment{}, false, err
	}
	key, err := auth.TOTPKeyFromSecret(issuer, acct.Email.Reveal(), secret.Reveal())
	if err != nil {
		return TOTPEnrolment{}, false, err
	}
	return TOTPEnrolment{Secret: key.Secret(), URL: key.URL()}, true, nil
}

// ConfirmTOTP finishes an enrolment with a code from the authenticator. It
// stores the secret, issues recovery codes when the account has none (shown
// once, returned here), and completes the session's sign-in with a new token.
func (s *Service) ConfirmTOTP(ctx context.Context, sess Session, code string) (token string, next Session, codes []string, err error) {
	ctx = acting(ctx, sess)
	if err := enrolAllowed(sess); err != nil {
		return "", Session{}, nil, err
	}
	now := s.clock.Now()
	tok, err := s.tokens.Peek(ctx, sess.TenantID, auth.HashToken("totp:"+sess.ID), purposeTOTPEnrol, now)
	if apperr.Is(err, apperr.NotFound) {
		return "", Session{}, nil, apperr.New(apperr.Invalid, "The setup expired. Start again to get a new code.")
	}
	if err != nil {
		return "", Session{}, nil, err
	}
	h, err := s.totpHandle(ctx, sess.TenantID, sess.UserID, access.Write, "user.totp.enrol")
	if err != nil {
		return "", Session{}, nil, err
	}
	secret, err := h.OpenString(sess.UserID, "auth_tokens", "data", "totp:"+sess.ID, tok.Data)
	if err != nil {
		return "", Session{}, nil, err
	}
	step, ok := auth.VerifyTOTP(secret.Reveal(), strings.TrimSpace(code), now, 0)
	if !ok {
		return "", Session{}, nil, ErrBadCode
	}
	ct, err := h.SealString(sess.UserID, "users", "totp_secret_ct", sess.UserID, secret.Reveal())
	if err != nil {
		return "", Session{}, nil, err
	}
	if err := s.event(ctx, audit.Entry{TenantID: sess.TenantID, Subjects: []string{sess.UserID}, Action: "user.mfa.enrol",
		ResourceID: sess.UserID, Detail: "totp"}); err != nil {
		return "", Session{}, nil, err
	}
	if err := s.users.SetTOTP(ctx, sess.TenantID, sess.UserID, ct, step, now); err != nil {
		return "", Session{}, nil, err
	}
	if _, err := s.tokens.Use(ctx, sess.TenantID, tok.Hash, purposeTOTPEnrol, now); err != nil {
		return "", Session{}, nil, err
	}
	left, err := s.users.RecoveryCodesLeft(ctx, sess.UserID)
	if err != nil {
		return "", Session{}, nil, err
	}
	if left == 0 {
		if codes, err = s.newRecoveryCodes(ctx, sess); err != nil {
			return "", Session{}, nil, err
		}
	}
	u, err := s.users.ByID(ctx, sess.TenantID, sess.UserID)
	if err != nil {
		return "", Session{}, nil, err
	}
	token, next, err = s.elevate(ctx, sess, u)
	return token, next, codes, err
}

// RegenerateRecoveryCodes replaces the signed-in user's recovery codes; the old
// ones stop working. It needs a fresh sign-in.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, sess Session) ([]string, error) {
	ctx = acting(ctx, sess)
	if !s.policy.FreshAuth(sess.Auth(), s.clock.Now()) {
		return nil, ErrNotFresh
	}
	return s.newRecoveryCodes(ctx, sess)
}

func (s *Service) newRecoveryCodes(ctx context.Context, sess Session) ([]string, error) {
	codes, hashes, err := auth.NewRecoveryCodes()
	if err != nil {
		return nil, err
	}
	if err := s.event(ctx, audit.Entry{TenantID: sess.TenantID, Subjects: []string{sess.UserID}, Action: "user.recovery_codes.issue",
		ResourceID: sess.UserID}); err != nil {
		return nil, err
	}
	if err := s.users.ReplaceRecoveryCodes(ctx, sess.TenantID, sess.UserID, hashes); err != nil {
		return nil, err
	}
	return codes, nil
}

// RecoveryCodesLeft counts the signed-in user's unused recovery codes.
func (s *Service) RecoveryCodesLeft(ctx context.Context, sess Session) (int, error) {
	return s.users.RecoveryCodesLeft(ctx, sess.UserID)
}

// RemoveTOTP removes the authenticator. Staff cannot remove their last second
// factor (every staff role needs MFA); it needs a fresh sign-in.
func (s *Service) RemoveTOTP(ctx context.Context, sess Session) error {
	ctx = acting(ctx, sess)
	u, err := s.users.ByID(ctx, sess.TenantID, sess.UserID)
	if err != nil {
		return notFound(err)
	}
	if !s.policy.FreshAuth(sess.Auth(), s.clock.Now()) {
		return ErrNotFresh
	}
	if u.Role.Staff() && u.Passkeys == 0 {
		return apperr.New(apperr.Invalid, "Staff accounts need a second factor. Add a passkey before removing the authenticator.")
	}
	if err := s.event(ctx, audit.Entry{TenantID: u.TenantID, Subjects: []string{u.ID}, Action: "user.mfa.remove", ResourceID: u.ID, Detail: "totp"}); err != nil {
		return err
	}
	return s.users.SetTOTP(ctx, u.TenantID, u.ID, nil, 0, s.clock.Now())
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
