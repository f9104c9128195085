package auth

import (
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/clock"
)

func TestSessionTimeoutsWithAFakeClock(t *testing.T) {
	p := DefaultSessionPolicy()
	clk := clock.NewFake(t0)
	for _, c := range []struct {
		role access.Role
		idle time.Duration
	}{{access.RolePharmacist, 15 * time.Minute}, {access.RoleAdmin, 15 * time.Minute}, {access.RolePatient, 30 * time.Minute}} {
		clk.Set(t0)
		s := Session{Role: c.role, CreatedAt: clk.Now(), LastSeenAt: clk.Now()}
		clk.Advance(c.idle - time.Second)
		if ok, _ := p.Valid(s, clk.Now()); !ok {
			t.Fatalf("%s: expired before its idle timeout", c.role)
		}
		clk.Advance(time.Second)
		if ok, why := p.Valid(s, clk.Now()); ok || why != "idle timeout" {
			t.Fatalf("%s: not expired at its idle timeout (%q)", c.role, why)
		}
	}
	// Activity keeps a session alive, but never past 12 hours.
	clk.Set(t0)
	s := Session{Role: access.RolePatient, CreatedAt: clk.Now(), LastSeenAt: clk.Now()}
	for clk.Now().Before(t0.Add(12*time.Hour - time.Minute)) {
		clk.Advance(10 * time.Minute)
		if ok, why := p.Valid(s, clk.Now()); !ok {
			if clk.Now().Before(t0.Add(12 * time.Hour)) {
				t.Fatalf("active session expired at %v: %s", clk.Now().Sub(t0), why)
			}
		}
		if p.NeedsTouch(s, clk.Now()) {
			s.LastSeenAt = clk.Now()
		}
	}
	clk.Set(t0.Add(12 * time.Hour))
	s.LastSeenAt = clk.Now().Add(-time.Second)
	if ok, why := p.Valid(s, clk.Now()); ok || why != "absolute timeout" {
		t.Fatalf("session outlived 12 hours (%q)", why)
	}
	// A shorter configured absolute lifetime applies.
	short := p
	short.Absolute = time.Hour
	if ok, _ := short.Valid(Session{Role: access.RolePatient, CreatedAt: t0, LastSeenAt: t0.Add(59 * time.Minute)}, t0.Add(time.Hour)); ok {
		t.Fatal("configured absolute lifetime ignored")
	}
	if ok, why := p.Valid(Session{Role: access.RolePatient, CreatedAt: t0, LastSeenAt: t0, RevokedAt: t0}, t0); ok || why != "revoked" {
		t.Fatal("revoked session valid")
	}
}

func TestFreshAuthAndStages(t *testing.T) {
	p := DefaultSessionPolicy()
	s := Session{AuthAt: t0}
	if !p.FreshAuth(s, t0.Add(4*time.Minute)) || p.FreshAuth(s, t0.Add(5*time.Minute)) || p.FreshAuth(Session{}, t0) {
		t.Fatal("freshness is five minutes")
	}
	staff := Session{Role: access.RoleFulfillment}
	if StageOf(staff, false) != StageNeedsEnrolment || StageOf(staff, true) != StageNeedsMFA {
		t.Fatal("a staff session without MFA is not complete")
	}
	staff.MFAAt = t0
	if StageOf(staff, true) != StageComplete {
		t.Fatal("staff with MFA passed")
	}
	patient := Session{Role: access.RolePatient}
	if StageOf(patient, false) != StageComplete || StageOf(patient, true) != StageNeedsMFA {
		t.Fatal("patient stages")
	}
}
