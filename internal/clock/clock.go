// Package clock gives code the current time through an interface, so that tests
// can move time forward (idle timeouts, lockouts, expiries) without sleeping.
package clock

import (
	"sync"
	"time"
)

// Clock tells the time. Every time Salve stores or compares comes from one.
type Clock interface {
	// Now returns the current time in UTC, truncated to microseconds.
	Now() time.Time
}

// Normalize returns t in UTC truncated to microseconds. Both engines store
// microseconds (PostgreSQL timestamptz has no finer precision), so a time that
// went through Normalize reads back from either store exactly as it was written;
// the audit hash chain depends on that.
func Normalize(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// System is the real clock.
type System struct{}

// Now returns the wall-clock time.
func (System) Now() time.Time { return Normalize(time.Now()) }

// Fake is a clock that only moves when told to. It is safe for concurrent use.
type Fake struct {
	mu sync.Mutex
	t  time.Time
}

// NewFake returns a fake clock set to t.
func NewFake(t time.Time) *Fake { return &Fake{t: Normalize(t)} }

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

// Advance moves the fake time forward by d.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = Normalize(f.t.Add(d))
}

// Set moves the fake time to t.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = Normalize(t)
}
