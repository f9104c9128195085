package incidents

import (
	"slices"
	"time"
)

// The limits of 164.404–408.
const (
	// NoticeDays: individuals are notified without unreasonable delay and
	// in no case later than 60 calendar days after discovery (164.404(b));
	// the same limit holds for the media (164.406(b)) and, for 500 or more,
	// for HHS (164.408(b)).
	NoticeDays = 60
	// MediaThreshold: a breach involving more than 500 residents of a state
	// or jurisdiction is also notified to prominent media outlets serving it
	// (164.406(a)): 501 or more.
	MediaThreshold = 500
	// HHSThreshold: a breach involving 500 or more individuals is notified to
	// HHS within the 60 days (164.408(b)); fewer go in the yearly log, due
	// within 60 days of the end of the calendar year (164.408(c)).
	HHSThreshold = 500
)

// Obligations are what a breach requires and by when.
type Obligations struct {
	// Deadline is the last day for the individual notices (and the media
	// and HHS notices when due): discovery plus 60 days.
	Deadline time.Time
	// DaysLeft until Deadline (negative when past).
	DaysLeft int
	// Overdue: the deadline has passed and the notices were not sent.
	Overdue bool
	// MediaStates are the states with more than 500 residents affected.
	MediaStates []string
	// MediaUnsure: the people whose state is not on file could make a
	// state cross the media threshold; check them by hand.
	MediaUnsure bool
	Unknown     int
	// HHSNow: 500 or more in all, notify HHS within the 60 days.
	HHSNow bool
	// YearlyLog: fewer than 500, log it for HHS by LogDue (60 days after
	// the end of the year of discovery).
	YearlyLog bool
	LogDue    time.Time
}

// Obligate computes a breach's obligations on now's day, from its
// discovery day, the people affected by state ("" not on file) and when the
// notices were sent (zero: not yet).
func Obligate(discoveredOn string, byState map[string]int, notifiedAt, now time.Time) Obligations {
	var o Obligations
	d, err := time.Parse(DateLayout, discoveredOn)
	if err != nil {
		return o
	}
	o.Deadline = d.AddDate(0, 0, NoticeDays)
	today, _ := time.Parse(DateLayout, now.UTC().Format(DateLayout))
	o.DaysLeft = int(o.Deadline.Sub(today).Hours() / 24)
	o.Overdue = notifiedAt.IsZero() && today.After(o.Deadline)
	total, largest := 0, 0
	for st, n := range byState {
		total += n
		if st == "" {
			o.Unknown = n
			continue
		}
		largest = max(largest, n)
		if n > MediaThreshold {
			o.MediaStates = append(o.MediaStates, st)
		}
	}
	slices.Sort(o.MediaStates)
	o.MediaUnsure = o.Unknown > 0 && largest+o.Unknown > MediaThreshold && len(o.MediaStates) == 0
	o.HHSNow = total >= HHSThreshold
	if total > 0 && !o.HHSNow {
		o.YearlyLog = true
		o.LogDue = time.Date(d.Year(), 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, NoticeDays)
	}
	return o
}

// Obligations returns the incident's obligations now (meaningful for a
// breach).
func (s *Service) Obligations(inc Incident) Obligations {
	return Obligate(inc.DiscoveredOn, inc.ByState, inc.NotifiedAt, s.d.Clock.Now())
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
