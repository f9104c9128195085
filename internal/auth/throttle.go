package auth

import (
	"time"
)

// Throttle is the failure record of one throttling key: a typed sign-in
// identifier (whether or not an account has it) or a client address.
type Throttle struct {
	Failures    int       // consecutive failures
	LastFailure time.Time // when the last one happened
	// LockedUntil: sign-in is refused, even with the right password, until then.
	LockedUntil time.Time
	// NeedsUnlock: locked until the emailed unlock link is used (patients).
	NeedsUnlock bool
}

// Limits are the throttling rules of one kind of key.
type Limits struct {
	Free       int           // failures allowed before delays start
	Base, Max  time.Duration // the delay doubles from Base per failure, up to Max
	ResetAfter time.Duration // a quiet period after which failures are forgotten
	// LockAfter locks at every multiple of this many failures (0: never).
	LockAfter int
	// LockFor is how long a lock lasts; 0 means until an emailed unlock.
	LockFor time.Duration
}

// The rules. Delays depend only on the failure count, never on whether the
// account exists or on its kind, so that throttling answers tell an attacker
// nothing (unknown identifiers use UnknownAccount). Locks never change the
// answer either: a locked account simply fails even with the right password.
var (
	// StaffAccount: locked for 30 minutes at 10 failures (and at 20, 30, …).
	StaffAccount = Limits{Free: 5, Base: time.Second, Max: 5 * time.Minute, ResetAfter: 24 * time.Hour, LockAfter: 10, LockFor: 30 * time.Minute}
	// PatientAccount: at 100 consecutive failures (NIST SP 800-63B's ceiling)
	// locked until the emailed unlock link is used.
	PatientAccount = Limits{Free: 5, Base: time.Second, Max: 5 * time.Minute, ResetAfter: 24 * time.Hour, LockAfter: 100}
	// UnknownAccount: the same delays, nothing to lock.
	UnknownAccount = Limits{Free: 5, Base: time.Second, Max: 5 * time.Minute, ResetAfter: 24 * time.Hour}
	// ClientAddress: one address may fail 20 times, then waits, across accounts.
	ClientAddress = Limits{Free: 20, Base: time.Second, Max: 15 * time.Minute, ResetAfter: 15 * time.Minute}
)

// current forgets failures after the quiet period.
func (l Limits) current(s Throttle, now time.Time) Throttle {
	if s.Failures > 0 && !s.NeedsUnlock && now.Sub(s.LastFailure) >= l.ResetAfter && !now.Before(s.LockedUntil) {
		return Throttle{}
	}
	return s
}

// RetryAfter is how long to wait before the next attempt may be made; zero
// when it may be made now. A positive wait is answered "too many attempts".
func (l Limits) RetryAfter(s Throttle, now time.Time) time.Duration {
	s = l.current(s, now)
	if s.Failures < l.Free {
		return 0
	}
	d := l.Base << min(s.Failures-l.Free, 30)
	if d <= 0 || d > l.Max {
		d = l.Max
	}
	wait := s.LastFailure.Add(d).Sub(now)
	return max(wait, 0)
}

// Locked reports whether sign-in is refused whatever the password.
func (l Limits) Locked(s Throttle, now time.Time) bool {
	s = l.current(s, now)
	return s.NeedsUnlock || now.Before(s.LockedUntil)
}

// Failed records a failure. justLocked is true when this failure locked the
// account (the caller records a lockout event and, for patients, emails an
// unlock link).
func (l Limits) Failed(s Throttle, now time.Time) (next Throttle, justLocked bool) {
	s = l.current(s, now)
	s.Failures++
	s.LastFailure = now
	if l.LockAfter > 0 && s.Failures%l.LockAfter == 0 {
		if l.LockFor > 0 {
			s.LockedUntil = now.Add(l.LockFor)
		} else {
			s.NeedsUnlock = true
		}
		justLocked = true
	}
	return s, justLocked
}

// Burst detects a burst of failed sign-ins across a whole tenant.
type Burst struct {
	Window    time.Duration // the window failures are counted in
	Threshold int           // failures in one window that raise an alert
	Quiet     time.Duration // after an alert, no other for this long
}

// DefaultBurst alerts at 50 failures within 5 minutes, at most every 30 minutes.
var DefaultBurst = Burst{Window: 5 * time.Minute, Threshold: 50, Quiet: 30 * time.Minute}

// BurstState is a tenant's failure count in the current window.
type BurstState struct {
	WindowStart time.Time
	Count       int
	AlertedAt   time.Time
}

// Failed counts a failure and reports whether it raises an alert.
func (b Burst) Failed(s BurstState, now time.Time) (BurstState, bool) {
	if now.Sub(s.WindowStart) >= b.Window {
		s.WindowStart, s.Count = now, 0
	}
	s.Count++
	if s.Count >= b.Threshold && now.Sub(s.AlertedAt) >= b.Quiet {
		s.AlertedAt = now
		return s, true
	}
	return s, false
}
