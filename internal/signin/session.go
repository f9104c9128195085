package signin

import (
	"context"
	"errors"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Session is a signed-in browser as the rest of Salve sees it. The cookie
// holds its token; the store keeps only the token's hash (ID).
type Session struct {
	ID         string // the hash of the cookie's token
	TenantID   string
	UserID     string
	Role       access.Role
	CreatedAt  time.Time
	LastSeenAt time.Time
	MFAAt      time.Time
	AuthAt     time.Time
	RevokedAt  time.Time
	Device     string // a coarse label such as "Firefox on Linux"
	// Stage is how far sign-in has come (second factor pending, enrolment
	// needed, complete).
	Stage auth.Stage
	// user is the account's row as Lookup read it for this request (nil
	// from anything else); see User.
	user *accounts.User
	// Extras are what Lookup read about the person with the session.
	Extras Extras
}

// Extras are what a session's lookup read about its person in the same
// statement as the session, for the pages that need them (the dashboard on
// every view, the profile): each is a statement fewer there (issue 15).
// Why safe: they are this request's read, as current as a read of their own
// later in the request would be, never kept across requests; none is PHI
// (no plaintext, no sealed field), and each page still decides access as
// before. The zero value (Read false) is a session that did not come from
// Lookup: each page then reads what it needs itself.
type Extras struct {
	// Read is true when Lookup filled the others.
	Read bool
	// ProxyGrants counts the live proxy grants that name the person as
	// the proxy (the people they may act for).
	ProxyGrants int
	// Layout is the person's own dashboard layout; nil when they never
	// arranged it.
	Layout *Layout
	// HealthOffers is true when the person has a current marketing
	// authorization for offers chosen from their health data
	// (marketing.HealthOffers).
	HealthOffers bool
	// Key is the person's wrapped data key row (never a plaintext key),
	// for the vault accesses of their own dashboard (phi.WithKeyRow).
	Key phi.KeyRow
}

// extrasKey is the context key of a lookup that reads the extras.
type extrasKey struct{}

// WithExtras returns ctx in which Lookup also reads the session's Extras
// (the guard sets it for the routes that use them; the others skip the
// cost, a few microseconds a request).
func WithExtras(ctx context.Context) context.Context {
	return context.WithValue(ctx, extrasKey{}, true)
}

// wantsExtras says whether ctx came from WithExtras.
func wantsExtras(ctx context.Context) bool { v, _ := ctx.Value(extrasKey{}).(bool); return v }

// Layout is a saved dashboard layout as stored: the widget keys in order
// and the hidden ones (portal.Layout).
type Layout struct{ Widgets, Hidden []string }

// User returns the account's row as the session's lookup read it at the
// start of this request (sealed fields still sealed), so that a read-only
// page about the same person need not read it again; ok is false when the
// session did not come from Lookup. Why safe: it is one request's read,
// never kept across requests, and opening it still goes through an audited
// vault access.
func (s Session) User() (accounts.User, bool) {
	if s.user == nil {
		return accounts.User{}, false
	}
	return *s.user, true
}

// Auth returns the session as the session policy (auth) sees it.
func (s Session) Auth() auth.Session {
	return auth.Session{ID: s.ID, TenantID: s.TenantID, UserID: s.UserID, Role: s.Role, CreatedAt: s.CreatedAt,
		LastSeenAt: s.LastSeenAt, MFAAt: s.MFAAt, AuthAt: s.AuthAt, RevokedAt: s.RevokedAt}
}

// acting returns ctx acting as the session's person, for the audit record of
// what they do with their own account (the guard sets the same actor on
// requests; half-signed-in sessions act only on the sign-in pages).
func acting(ctx context.Context, s Session) context.Context {
	return access.WithActor(ctx, s.Actor())
}

// Actor is who the session acts as.
func (s Session) Actor() access.Actor {
	return access.Actor{ID: s.UserID, Role: s.Role, TenantID: s.TenantID, SessionID: s.ID}
}

// Complete reports whether sign-in is finished.
func (s Session) Complete() bool { return s.Stage == auth.StageComplete }

// withStage works out a stored session's stage from whether its account has a
// second factor.
func withStage(s Session, secondFactor bool) Session {
	s.Stage = auth.StageOf(s.Auth(), secondFactor)
	return s
}

// startSession creates a session for an account and returns its token, for the
// cookie. mfa records that a second factor was passed in the same step (a
// passkey sign-in). Why a new token every time: a token planted in a browser
// before sign-in (session fixation) is never promoted.
func (s *Service) startSession(ctx context.Context, u accounts.User, device string, mfa bool) (string, Session, error) {
	ctx = tenant.WithScope(ctx, u.TenantID)
	token, hash, err := auth.NewToken()
	if err != nil {
		return "", Session{}, err
	}
	now := s.clock.Now()
	sess := Session{ID: hash, TenantID: u.TenantID, UserID: u.ID, Role: u.Role, CreatedAt: now, LastSeenAt: now,
		AuthAt: now, Device: device}
	if mfa {
		sess.MFAAt = now
	}
	if err := s.sessions.Insert(ctx, sess); err != nil {
		return "", Session{}, err
	}
	return token, withStage(sess, u.HasSecondFactor()), nil
}

// ErrNoSession is the answer of every failed session lookup: no such token,
// another tenant's, revoked, timed out, or its account changed.
var ErrNoSession = errors.New("no valid session")

// Lookup finds the live session of a cookie token in a tenant: it must exist,
// belong to the tenant, be neither revoked nor timed out, and its account must
// be active with the role the session was started with. A session that passes
// is touched (at most once a minute) so its idle timer restarts.
func (s *Service) Lookup(ctx context.Context, tenantID, token string) (Session, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if !auth.ValidToken(token) {
		return Session{}, ErrNoSession
	}
	// The session and its account in one read: both are read on every
	// signed-in request, so the checks below see the rows as they are now
	// (a revoked session or a disabled account is refused at once).
	now := s.clock.Now()
	row, u, err := s.sessions.WithUser(ctx, auth.HashToken(token), now, wantsExtras(ctx))
	if err != nil {
		return Session{}, ErrNoSession
	}
	// Why the tenant check: a cookie is per host, but a session of one tenant
	// must never act in another even if a cookie were copied across.
	if row.TenantID != tenantID {
		return Session{}, ErrNoSession
	}
	policy := s.PolicyFor(ctx, tenantID)
	if ok, _ := policy.Valid(row.Auth(), now); !ok {
		return Session{}, ErrNoSession
	}
	if u.TenantID != tenantID || u.ID != row.UserID || u.Status != accounts.StatusActive || u.Role != row.Role {
		// A role change or a disabled account ends the session: privileges
		// never change under a live token.
		return Session{}, ErrNoSession
	}
	sess := withStage(row, u.HasSecondFactor())
	sess.user = &u
	if s.policy.NeedsTouch(sess.Auth(), now) {
		if err := s.sessions.Touch(ctx, row.ID, now); err != nil {
			return Session{}, err
		}
		sess.LastSeenAt = now
	}
	return sess, nil
}

// Logout ends a session on the server: the token is worthless from now on.
func (s *Service) Logout(ctx context.Context, sess Session) error {
	ctx = tenant.WithScope(ctx, sess.TenantID)
	ctx = acting(ctx, sess)
	err := s.sessions.Revoke(ctx, sess.UserID, sess.ID, s.clock.Now())
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	return s.event(ctx, audit.Entry{TenantID: sess.TenantID, Subjects: []string{sess.UserID}, Action: "session.logout", ResourceType: "session"})
}

// Sessions lists the live sessions of the signed-in user.
func (s *Service) Sessions(ctx context.Context, sess Session) ([]Session, error) {
	ctx = tenant.WithScope(ctx, sess.TenantID)
	policy := s.PolicyFor(ctx, sess.TenantID)
	since := s.clock.Now().Add(-policy.Idle(sess.Role))
	rows, err := s.sessions.Live(ctx, sess.UserID, since)
	if err != nil {
		return nil, err
	}
	out := make([]Session, 0, len(rows))
	for _, r := range rows {
		if !s.clock.Now().Before(r.CreatedAt.Add(policy.Absolute)) {
			continue
		}
		out = append(out, withStage(r, false))
	}
	return out, nil
}

// RevokeSession ends one of the signed-in user's sessions, found by the
// position-independent reference the sessions page shows (SessionRef).
func (s *Service) RevokeSession(ctx context.Context, sess Session, ref string) error {
	ctx = tenant.WithScope(ctx, sess.TenantID)
	ctx = acting(ctx, sess)
	rows, err := s.sessions.Live(ctx, sess.UserID, time.Time{})
	if err != nil {
		return err
	}
	for _, r := range rows {
		if SessionRef(r.ID) == ref {
			if err := s.event(ctx, audit.Entry{TenantID: sess.TenantID, Subjects: []string{sess.UserID}, Action: "session.revoke", ResourceType: "session"}); err != nil {
				return err
			}
			return s.sessions.Revoke(ctx, sess.UserID, r.ID, s.clock.Now())
		}
	}
	return apperr.NotFoundError()
}

// SessionRef is how a page names a session: a prefix of its hash, never the
// hash itself (a hash in a page could be used to look the session up).
func SessionRef(id string) string {
	if len(id) < 16 {
		return id
	}
	return auth.HashToken("ref:" + id)[:16]
}

// PurgeSessions deletes sessions that ended more than a day ago.
func (s *Service) PurgeSessions(ctx context.Context) (int64, error) {
	return s.sessions.Purge(ctx, s.clock.Now().Add(-s.policy.Absolute-24*time.Hour))
}

// EndReplaced ends the session of a token that a browser still carried when
// it signed in again, before the new session's cookie replaces it. Why: on a
// shared computer the next person's sign-in must not leave the previous
// person's token alive on the server (a copy of it, in another tab, a proxy
// log or a backup of the browser profile, would keep working until it timed
// out). Holding the token is the authority to end it, as with sign-out, so it
// is ended whoever it belongs to; a token with no live session is nothing to
// end.
func (s *Service) EndReplaced(ctx context.Context, token string) error {
	if !auth.ValidToken(token) {
		return nil
	}
	row, err := s.sessions.ByID(ctx, auth.HashToken(token))
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !row.RevokedAt.IsZero() {
		return nil
	}
	ctx = acting(ctx, row)
	err = s.sessions.Revoke(ctx, row.UserID, row.ID, s.clock.Now())
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.event(ctx, audit.Entry{TenantID: row.TenantID, Subjects: []string{row.UserID}, Action: "session.logout",
		ResourceType: "session", Detail: "replaced by a new sign-in"})
}
