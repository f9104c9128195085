package identity

import (
	"context"
	"encoding/hex"
	"errors"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/store"
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
	ipT, err := s.sessions.Throttle(ctx, ipKey)
	if err != nil {
		return "", Session{}, err
	}
	if auth.ClientAddress.RetryAfter(throttleOfKey(ipT), now) > 0 {
		return "", Session{}, s.refuse(ctx, t.ID, "", "", "address throttled", ErrTooMany)
	}

	u, err := s.users.ByEmail(ctx, t.ID, s.emailIndex(t.ID, at.Email))
	if apperr.Is(err, apperr.NotFound) {
		return "", Session{}, s.failUnknown(ctx, t, at, ipKey, ipT)
	}
	if err != nil {
		return "", Session{}, err
	}

	limits := auth.PatientAccount
	if access.Role(u.Role).Staff() {
		limits = auth.StaffAccount
	}
	th := throttleOfUser(u)
	if limits.RetryAfter(th, now) > 0 {
		return "", Session{}, s.refuse(ctx, t.ID, u.ID, u.Role, "account throttled", ErrTooMany)
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
		return "", Session{}, s.refuse(ctx, t.ID, u.ID, u.Role, "account locked", ErrBadCredentials)
	case u.Status != "active":
		return "", Session{}, s.refuse(ctx, t.ID, u.ID, u.Role, "account "+u.Status, ErrBadCredentials)
	case u.EmailVerifiedAt.IsZero():
		// Only someone who knows the password learns that the address is not
		// confirmed yet; they get a fresh link.
		if err := s.refuse(ctx, t.ID, u.ID, u.Role, "email not verified", nil); err != nil {
			return "", Session{}, err
		}
		if err := s.sendLink(ctx, t, at.BaseURL, u.ID, purposeVerify, verifyTTL, "/verify", notify.VerifyEmail, nil); err != nil {
			return "", Session{}, err
		}
		return "", Session{}, apperr.New(apperr.Invalid, "Confirm your email address first: we have sent you a new link.")
	}

	if rehash {
		if h, err := s.hasher.Hash(ctx, at.Password); err == nil {
			_ = s.users.SetPassword(ctx, t.ID, u.ID, h, now)
		}
	}
	if err := s.event(ctx, audit.Entry{ActorID: u.ID, ActorRole: access.Role(u.Role), TenantID: t.ID, Subjects: []string{u.ID},
		Action: "user.login", ResourceID: u.ID, Detail: "password"}); err != nil {
		return "", Session{}, err
	}
	if err := s.users.SetLastLogin(ctx, t.ID, u.ID, now); err != nil {
		return "", Session{}, err
	}
	return s.startSession(ctx, u, at.Device, false)
}

// refuse records a refused sign-in and returns answer.
func (s *Service) refuse(ctx context.Context, tenantID, userID, role, why string, answer error) error {
	e := audit.Entry{TenantID: tenantID, Action: "user.login", Outcome: audit.Denied, Detail: why}
	if userID != "" {
		e.ActorID, e.ActorRole, e.Subjects, e.ResourceID = userID, access.Role(role), []string{userID}, userID
	}
	if err := s.event(ctx, e); err != nil {
		return err
	}
	return answer
}

// failUnknown handles a sign-in with an address that has no account.
func (s *Service) failUnknown(ctx context.Context, t *tenant.Tenant, at Attempt, ipKey string, ipT store.KeyThrottle) error {
	now := s.clock.Now()
	key := "id:" + hex.EncodeToString(s.emailIndex(t.ID, at.Email))
	kt, err := s.sessions.Throttle(ctx, key)
	if err != nil {
		return err
	}
	if auth.UnknownAccount.RetryAfter(throttleOfKey(kt), now) > 0 {
		return s.refuse(ctx, t.ID, "", "", "unknown account throttled", ErrTooMany)
	}
	s.hasher.VerifyDummy(ctx, at.Password)
	next, _ := auth.UnknownAccount.Failed(throttleOfKey(kt), now)
	if err := s.sessions.SetThrottle(ctx, t.ID, key, keyOfThrottle(next)); err != nil {
		return err
	}
	if err := s.countFailure(ctx, t, ipKey, ipT); err != nil {
		return err
	}
	return s.refuse(ctx, t.ID, "", "", "unknown account", ErrBadCredentials)
}

// failKnown handles a wrong password for an account.
func (s *Service) failKnown(ctx context.Context, t *tenant.Tenant, at Attempt, u store.UserRow, limits auth.Limits,
	th auth.Throttle, ipKey string, ipT store.KeyThrottle) error {
	now := s.clock.Now()
	next, justLocked := limits.Failed(th, now)
	if err := s.users.SetThrottle(ctx, t.ID, u.ID, store.Throttle(next)); err != nil {
		return err
	}
	if err := s.countFailure(ctx, t, ipKey, ipT); err != nil {
		return err
	}
	if justLocked {
		if err := s.event(ctx, audit.Entry{ActorID: u.ID, ActorRole: access.Role(u.Role), TenantID: t.ID, Subjects: []string{u.ID},
			Action: "user.lockout", ResourceID: u.ID, Outcome: audit.Denied, Severity: audit.High}); err != nil {
			return err
		}
		if next.NeedsUnlock {
			// Patients are locked until they prove they hold the mailbox.
			if err := s.sendLink(ctx, t, at.BaseURL, u.ID, purposeUnlock, unlockTTL, "/unlock", notify.AccountUnlock, nil); err != nil {
				return err
			}
		}
	}
	return s.refuse(ctx, t.ID, u.ID, u.Role, "wrong password", ErrBadCredentials)
}

// countFailure adds a failure to the client address and to the tenant's burst
// count; a burst raises a high-severity event and emails the tenant's
// security contact.
func (s *Service) countFailure(ctx context.Context, t *tenant.Tenant, ipKey string, ipT store.KeyThrottle) error {
	now := s.clock.Now()
	next, _ := auth.ClientAddress.Failed(throttleOfKey(ipT), now)
	if err := s.sessions.SetThrottle(ctx, t.ID, ipKey, keyOfThrottle(next)); err != nil {
		return err
	}
	alert := false
	err := s.sessions.UpdateBurst(ctx, t.ID, func(b store.Burst) store.Burst {
		st, raised := s.opts.Burst.Failed(auth.BurstState(b), now)
		alert = raised
		return store.Burst(st)
	})
	if err != nil || !alert {
		return err
	}
	return s.alert(ctx, t, "security.login_burst", "failed sign-ins burst")
}

// alert records a high-severity event and emails the tenant's security
// contact, if it has one. The email says only that something happened.
func (s *Service) alert(ctx context.Context, t *tenant.Tenant, action, detail string) error {
	if err := s.event(ctx, audit.Entry{TenantID: t.ID, Action: action, ResourceType: "tenant", ResourceID: t.ID,
		Outcome: audit.Denied, Severity: audit.High, Detail: detail, Purpose: access.PurposeOperations}); err != nil {
		return err
	}
	if t.SecurityContact == "" {
		return nil
	}
	ref := alertRef()
	msg, err := notify.Compose(notify.SecurityAlert, t.SecurityContact, notify.Params{Brand: t.Name, Link: "https://" + firstHost(t) + "/admin", Reference: ref})
	if err != nil {
		return err
	}
	return s.outbox.Enqueue(ctx, t.ID, "tenant:"+t.ID, notify.SecurityAlert, msg)
}

func firstHost(t *tenant.Tenant) string {
	if len(t.Hostnames) > 0 {
		return t.Hostnames[0]
	}
	return "localhost"
}

func throttleOfUser(u store.UserRow) auth.Throttle {
	return auth.Throttle{Failures: u.Failures, LastFailure: u.LastFailureAt, LockedUntil: u.LockedUntil, NeedsUnlock: u.NeedsUnlock}
}

func throttleOfKey(k store.KeyThrottle) auth.Throttle {
	return auth.Throttle{Failures: k.Failures, LastFailure: k.LastFailure, LockedUntil: k.LockedUntil}
}

func keyOfThrottle(t auth.Throttle) store.KeyThrottle {
	return store.KeyThrottle{Failures: t.Failures, LastFailure: t.LastFailure, LockedUntil: t.LockedUntil}
}
