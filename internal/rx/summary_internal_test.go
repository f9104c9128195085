package rx

import (
	"testing"
	"time"
)

// TestDueSoonIsTheLinesBadge: the widget orders prescriptions by dueSoon
// from their clear columns before opening any, so dueSoon must say what the
// line's "Refill due" badge says, in every state.
func TestDueSoonIsTheLinesBadge(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for _, st := range []Status{Pending, Verified, Rejected} {
		for _, fills := range []int{0, 1, 3} {
			for _, days := range []int{0, 30} {
				for _, last := range []time.Time{{}, now.AddDate(0, 0, -40), now.AddDate(0, 0, -26), now.AddDate(0, 0, -3)} {
					for _, exp := range []time.Time{{}, now.AddDate(0, 0, -1), now.AddDate(0, 1, 0)} {
						p := &Prescription{Status: st, FillsLeft: fills, DaysSupply: days, LastFillAt: last, ExpiresAt: exp,
							UpdatedAt: now.AddDate(0, 0, -28)}
						if _, isDue := line(p, now); isDue != dueSoon(p, now) {
							t.Errorf("%+v: line says due %v, dueSoon %v", p, isDue, dueSoon(p, now))
						}
					}
				}
			}
		}
	}
}
