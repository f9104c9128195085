package auth

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// fail records n failures, each made as soon as it is allowed, and returns the
// state and the time after the last one.
func fail(l Limits, s Throttle, now time.Time, n int) (Throttle, time.Time, int) {
	locks := 0
	for range n {
		now = now.Add(l.RetryAfter(s, now))
		var locked bool
		s, locked = l.Failed(s, now)
		if locked {
			locks++
		}
	}
	return s, now, locks
}

func TestGrowingDelays(t *testing.T) {
	var s Throttle
	now := t0
	for i := range 5 {
		if w := UnknownAccount.RetryAfter(s, now); w != 0 {
			t.Fatalf("failure %d: no delay expected within the free attempts, got %v", i, w)
		}
		s, _ = UnknownAccount.Failed(s, now)
	}
	prev := time.Duration(0)
	for i := range 12 {
		w := UnknownAccount.RetryAfter(s, now)
		if w <= prev && w < UnknownAccount.Max {
			t.Fatalf("delay %d did not grow: %v after %v", i, w, prev)
		}
		if w > UnknownAccount.Max {
			t.Fatalf("delay %v over the maximum", w)
		}
		prev = w
		now = now.Add(w)
		if UnknownAccount.RetryAfter(s, now) != 0 {
			t.Fatal("after waiting the delay, the attempt must be allowed")
		}
		s, _ = UnknownAccount.Failed(s, now)
	}
	// A day without failures forgets them.
	if UnknownAccount.RetryAfter(s, now.Add(24*time.Hour)) != 0 {
		t.Fatal("failures not forgotten after a quiet day")
	}
}

func TestStaffLockout(t *testing.T) {
	s, now, locks := fail(StaffAccount, Throttle{}, t0, 9)
	if locks != 0 || StaffAccount.Locked(s, now) {
		t.Fatal("locked before 10 failures")
	}
	s, now, locks = fail(StaffAccount, s, now, 1)
	if locks != 1 || !StaffAccount.Locked(s, now) {
		t.Fatal("not locked at 10 failures")
	}
	if !StaffAccount.Locked(s, now.Add(29*time.Minute)) {
		t.Fatal("lock shorter than 30 minutes")
	}
	if StaffAccount.Locked(s, now.Add(30*time.Minute)) {
		t.Fatal("lock longer than 30 minutes")
	}
	// Ten more failures lock again.
	_, _, locks = fail(StaffAccount, s, now.Add(30*time.Minute), 10)
	if locks != 1 {
		t.Fatalf("second lock: %d", locks)
	}
}

func TestPatientLockNeedsUnlock(t *testing.T) {
	s, now, locks := fail(PatientAccount, Throttle{}, t0, 99)
	if locks != 0 || PatientAccount.Locked(s, now) {
		t.Fatal("locked before 100 failures")
	}
	s, now, locks = fail(PatientAccount, s, now, 1)
	if locks != 1 || !PatientAccount.Locked(s, now) || !s.NeedsUnlock {
		t.Fatal("not locked at 100")
	}
	if !PatientAccount.Locked(s, now.Add(365*24*time.Hour)) {
		t.Fatal("a patient lock must last until the emailed unlock")
	}
	// Unlocking is the caller resetting the state.
	if PatientAccount.Locked(Throttle{}, now) {
		t.Fatal("a reset state is locked")
	}
}

// TestKnownAndUnknownLookAlike: for the same failures, staff, patient and
// unknown identifiers give the same delays at every step; only the hidden lock
// differs.
func TestKnownAndUnknownLookAlike(t *testing.T) {
	var a, b, c Throttle
	now := t0
	for i := range 120 {
		wa, wb, wc := StaffAccount.RetryAfter(a, now), PatientAccount.RetryAfter(b, now), UnknownAccount.RetryAfter(c, now)
		if wa != wb || wb != wc {
			t.Fatalf("failure %d: delays differ: staff %v patient %v unknown %v", i, wa, wb, wc)
		}
		now = now.Add(wa)
		a, _ = StaffAccount.Failed(a, now)
		b, _ = PatientAccount.Failed(b, now)
		c, _ = UnknownAccount.Failed(c, now)
	}
}

func TestBurstAlertsOncePerQuietPeriod(t *testing.T) {
	var s BurstState
	alerts := 0
	now := t0
	for range 200 {
		var a bool
		s, a = DefaultBurst.Failed(s, now)
		if a {
			alerts++
		}
		now = now.Add(time.Second)
	}
	if alerts != 1 {
		t.Fatalf("%d alerts in a 200-second burst, want 1", alerts)
	}
	// Slow failures never alert.
	var q BurstState
	for range 200 {
		var a bool
		q, a = DefaultBurst.Failed(q, now)
		if a {
			t.Fatal("slow failures raised an alert")
		}
		now = now.Add(10 * time.Second)
	}
}
