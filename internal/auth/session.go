package auth

import (
	"time"

	"github.com/salvehealth/salve/internal/access"
)

// Session is a signed-in browser. The store keeps only the hash of its token.
type Session struct {
	ID         string // the token's hash
	TenantID   string
	UserID     string
	Role       access.Role
	CreatedAt  time.Time
	LastSeenAt time.Time
	// MFAAt is when the second factor was passed in this session; zero when only
	// the first factor (password, or SSO without MFA) was.
	MFAAt time.Time
	// AuthAt is when the user last proved who they are in this session (sign-in
	// or re-authentication); sensitive changes need it to be recent.
	AuthAt    time.Time
	RevokedAt time.Time
}

// SessionPolicy holds the session lifetimes.
type SessionPolicy struct {
	StaffIdle   time.Duration // 15 minutes
	PatientIdle time.Duration // 30 minutes
	Absolute    time.Duration // 12 hours at most
	// Fresh is how recent AuthAt must be for changing email, password or
	// factors, and for break-glass.
	Fresh time.Duration
	// Touch is how stale LastSeenAt may get before a request writes it again;
	// it bounds writes to one a minute per session, not one per request.
	Touch time.Duration
}

// DefaultSessionPolicy returns the lifetimes of the identity issue.
func DefaultSessionPolicy() SessionPolicy {
	return SessionPolicy{StaffIdle: 15 * time.Minute, PatientIdle: 30 * time.Minute, Absolute: 12 * time.Hour,
		Fresh: 5 * time.Minute, Touch: time.Minute}
}

// Idle returns the idle timeout for a role.
func (p SessionPolicy) Idle(role access.Role) time.Duration {
	if role.Staff() {
		return p.StaffIdle
	}
	return p.PatientIdle
}

// Valid reports whether a session may still be used at now, and if not, why.
func (p SessionPolicy) Valid(s Session, now time.Time) (bool, string) {
	switch {
	case !s.RevokedAt.IsZero():
		return false, "revoked"
	case !now.Before(s.CreatedAt.Add(p.Absolute)):
		return false, "absolute timeout"
	case !now.Before(s.LastSeenAt.Add(p.Idle(s.Role))):
		return false, "idle timeout"
	}
	return true, ""
}

// NeedsTouch reports whether LastSeenAt should be written now.
func (p SessionPolicy) NeedsTouch(s Session, now time.Time) bool {
	return now.Sub(s.LastSeenAt) >= p.Touch
}

// FreshAuth reports whether the session proved its user recently enough for a
// sensitive change.
func (p SessionPolicy) FreshAuth(s Session, now time.Time) bool {
	return !s.AuthAt.IsZero() && now.Sub(s.AuthAt) < p.Fresh
}

// Stage is how far a session's sign-in has come.
type Stage int

// The stages.
const (
	// StageNeedsMFA: the account has a second factor, not yet passed here. Only
	// the challenge pages may be used.
	StageNeedsMFA Stage = iota
	// StageNeedsEnrolment: a staff account without a second factor. Only the
	// enrolment pages may be used: every staff role needs MFA.
	StageNeedsEnrolment
	// StageComplete: the session may use what the role allows.
	StageComplete
)

// StageOf works out a session's stage from whether its account has a second
// factor enrolled.
func StageOf(s Session, hasSecondFactor bool) Stage {
	switch {
	case !s.MFAAt.IsZero():
		return StageComplete
	case hasSecondFactor:
		return StageNeedsMFA
	case s.Role.Staff():
		return StageNeedsEnrolment
	default:
		return StageComplete // a patient who has not added a second factor
	}
}
