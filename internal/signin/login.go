package signin

import (
	"context"
	"encoding/hex"
	"errors"

	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/tenant"
)

// Attempt is one sign-in attempt as typed, with where it came from.
type Attempt struct {
	Email    string
	Password string
	ClientIP string // for the per-address throttle; only its keyed hash is stored
	Device   string // a coarse label for the sessions page
	BaseURL  string // the site's URL, for the links an email may carry
}

// Login checks an email address and password. On success it returns a new
// session's token; the session may still need a second factor (Stage).
//
// Every failure, whatever its reason, returns ErrBadCredentials (or
// ErrTooMany while throttled), and costs one Argon2 hash: unknown addresses are
// checked against a dummy hash so the answer and its timing are the same.
func (s *Service) Login(ctx context.Context, t *tenant.Tenant, at Attempt) (string, Session, error) {
	ctx = systemCtx(ctx, t.ID, "login")
	now := s.clock.Now()
	ipKey := "ip:" + hex.EncodeToString(s.vault.BlindIndex(t.ID, "client-ip", at.ClientIP))
	ipT, err := s.throttles.Throttle(ctx, ipKey)
	if err != nil {
		return "", Session{}, err
	}
	if auth.ClientAddress.RetryAfter(ipT, now) > 0 {
		return "", Session{}, s.refuse(ctx, t.ID, nil, "address throttled", ErrTooMany)
	}

	u, err := s.users.ByEmail(ctx, t.ID, s.emailIndex(t.ID, at.Email))
	if apperr.Is(err, apperr.NotFound) {
		return "", Session{}, s.failUnknown(ctx, t, at, ipKey, ipT)
	}
	if err != nil {
		return "", Session{}, err
	}

	limits := limitsOf(u)
	th := throttleOf(u)
	if limits.RetryAfter(th, now) > 0 {
		return "", Session{}, s.refuse(ctx, t.ID, &u, "account throttled", ErrTooMany)
	}
	ok, rehash, err := s.hasher.Verify(ctx, at.Password, u.PasswordHash)
	if err != nil && !errors.Is(err, auth.ErrBadHash) {
		return "", Session{}, err
	}
	switch {
	case !ok:
		return "", Session{}, s.failKnown(ctx, t, at, u, limits, th, ipKey, ipT)
	case limits.Locked(th, now):
		// The right password on a locked account is still refused, with the
		// same answer (the lock must not be confirmable by trying).
		return "", Session{}, s.refuse(ctx, t.ID, &u, "account locked", ErrBadCredentials)
	case u.Status != accounts.StatusActive:
		return "", Session{}, s.refuse(ctx, t.ID, &u, "account "+u.Status, ErrBadCredentials)
	case u.EmailVerifiedAt.IsZero():
		// Only someone who knows the password learns that the address is not
		// confirmed yet; they get a fresh link.
		if err := s.refuse(ctx, t.ID, &u, "email not verified", nil); err != nil {
			return "", Session{}, err
		}
		if err := s.accounts.SendLink(ctx, t, at.BaseURL, u.ID, accounts.PurposeVerify); err != nil {
			return "", Session{}, err
		}
		return "", Session{}, apperr.New(apperr.Invalid, "Confirm your email address first: we have sent you a new link.")
	}

	if rehash {
		if h, err := s.hasher.Hash(ctx, at.Password); err == nil {
			_ = s.users.SetPassword(ctx, t.ID, u.ID, h, now)
		}
	}
	if err := s.event(ctx, audit.Entry{ActorID: u.ID, ActorRole: u.Role, TenantID: t.ID, Subjects: []string{u.ID},
		Action: "user.login", ResourceID: u.ID, Detail: "password"}); err != nil {
		return "", Session{}, err
	}
	if err := s.users.SetLastLogin(ctx, t.ID, u.ID, now); err != nil {
		return "", Session{}, err
	}
	return s.startSession(ctx, u, at.Device, false)
}

// refuse records a refused sign-in of an account (nil when there is none, or
// it must not be named) and returns answer.
func (s *Service) refuse(ctx context.Context, tenantID string, u *accounts.User, why string, answer error) error {
	ctx = tenant.WithScope(ctx, tenantID)
	e := audit.Entry{TenantID: tenantID, Action: "user.login", Outcome: audit.Denied, Detail: why}
	if u != nil {
		e.ActorID, e.ActorRole, e.Subjects, e.ResourceID = u.ID, u.Role, []string{u.ID}, u.ID
	}
	if err := s.event(ctx, e); err != nil {
		return err
	}
	return answer
}

// failUnknown handles a sign-in with an address that has no account.
func (s *Service) failUnknown(ctx context.Context, t *tenant.Tenant, at Attempt, ipKey string, ipT auth.Throttle) error {
	now := s.clock.Now()
	key := "id:" + hex.EncodeToString(s.emailIndex(t.ID, at.Email))
	kt, err := s.throttles.Throttle(ctx, key)
	if err != nil {
		return err
	}
	if auth.UnknownAccount.RetryAfter(kt, now) > 0 {
		return s.refuse(ctx, t.ID, nil, "unknown account throttled", ErrTooMany)
	}
	s.hasher.VerifyDummy(ctx, at.Password)
	next, _ := auth.UnknownAccount.Failed(kt, now)
	if err := s.throttles.SetThrottle(ctx, t.ID, key, next); err != nil {
		return err
	}
	if err := s.countFailure(ctx, t, ipKey, ipT); err != nil {
		return err
	}
	return s.refuse(ctx, t.ID, nil, "unknown account", ErrBadCredentials)
}

// failKnown handles a wrong password for an account.
func (s *Service) failKnown(ctx context.Context, t *tenant.Tenant, at Attempt, u accounts.User, limits auth.Limits,
	th auth.Throttle, ipKey string, ipT auth.Throttle) error {
	now := s.clock.Now()
	next, justLocked := limits.Failed(th, now)
	if err := s.users.SetThrottle(ctx, t.ID, u.ID, next); err != nil {
		return err
	}
	if err := s.countFailure(ctx, t, ipKey, ipT); err != nil {
		return err
	}
	if justLocked {
		if err := s.event(ctx, audit.Entry{ActorID: u.ID, ActorRole: u.Role, TenantID: t.ID, Subjects: []string{u.ID},
			Action: "user.lockout", ResourceID: u.ID, Outcome: audit.Denied, Severity: audit.High}); err != nil {
			return err
		}
		if next.NeedsUnlock {
			// Patients are locked until they prove they hold the mailbox.
			if err := s.accounts.SendLink(ctx, t, at.BaseURL, u.ID, accounts.PurposeUnlock); err != nil {
				return err
			}
		}
	}
	return s.refuse(ctx, t.ID, &u, "wrong password", ErrBadCredentials)
}

// countFailure adds a failure to the client address and to the tenant's burst
// count; a burst raises a high-severity event and emails the tenant's
// security contact.
func (s *Service) countFailure(ctx context.Context, t *tenant.Tenant, ipKey string, ipT auth.Throttle) error {
	now := s.clock.Now()
	next, _ := auth.ClientAddress.Failed(ipT, now)
	if err := s.throttles.SetThrottle(ctx, t.ID, ipKey, next); err != nil {
		return err
	}
	alert := false
	err := s.throttles.UpdateBurst(ctx, t.ID, func(b auth.BurstState) auth.BurstState {
		st, raised := s.burst.Failed(b, now)
		alert = raised
		return st
	})
	if err != nil || !alert {
		return err
	}
	return s.accounts.Alert(ctx, t, "security.login_burst", "failed sign-ins burst")
}
