package store

import (
	"strings"
	"testing"
	"time"
)

// driverParse is how modernc's driver turns a TIMESTAMP column's text into a
// time (conn.parseTime with no _timezone): time.Time.String's layout, then
// its layouts with a "Z" suffix cut.
func driverParse(s string) (time.Time, bool) {
	if t, err := time.Parse("2006-01-02 15:04:05.999999999 -0700 MST", strings.TrimSpace(trimMonotonic(s))); err == nil {
		return t, true
	}
	ts, _ := strings.CutSuffix(s, "Z")
	for _, l := range dbTimeLayouts {
		if t, err := time.Parse(l, ts); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func TestParseDBTime(t *testing.T) {
	for _, s := range []string{
		"2026-12-08 00:46:59.852369+00:00", "2026-11-26 15:00:00+00:00", "2026-11-26T15:00:00+00:00",
		"2024-02-29 23:59:59.999999999-07:30", "2026-12-08 00:46:59Z", "2026-12-08 00:46:59.5Z",
		"2026-12-08 00:46:59", "2026-12-08 00:46", "2026-12-08", "2026-12-08 00:46:59.123 +0000 UTC",
		"2026-12-08 00:46:59.123 +0000 UTC m=+0.001", "2026-12-08 00:46:59.1234567891+00:00",
	} {
		want, ok := driverParse(s)
		if !ok {
			t.Fatalf("%q: the driver's layouts refuse it", s)
		}
		got, err := parseDBTime(s)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("parseDBTime(%q) = %v, %v; want %v in UTC", s, got, err, want)
		}
	}
	for _, s := range []string{"", "2026-13-01 00:00:00+00:00", "2026-02-30 00:00:00+00:00", "2026-12-08 24:00:00+00:00", "yesterday"} {
		if _, err := parseDBTime(s); err == nil {
			t.Errorf("parseDBTime(%q) took it", s)
		}
	}
}

// FuzzParseDBTime checks the hand-written parser against the driver's
// time.Parse: whatever it takes, the driver takes as the same instant.
func FuzzParseDBTime(f *testing.F) {
	for _, s := range []string{"2026-12-08 00:46:59.852369+00:00", "2026-11-26T15:00:00-05:00", "2026-12-08 00:46:59Z", "2000-02-29 12:00:00.1+14:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseSQLiteLayout(s)
		if !ok {
			return
		}
		want, wok := driverParse(s)
		if !wok || !got.Equal(want) {
			t.Fatalf("%q: hand-parsed %v, driver %v (%v)", s, got, want, wok)
		}
	})
}

// A time as Salve writes it round-trips.
func TestParseDBTimeRoundTrip(t *testing.T) {
	base := time.Date(2026, 12, 8, 0, 46, 59, 852369000, time.UTC)
	for i := range 2000 {
		tm := base.Add(time.Duration(i) * 7919 * time.Second * 1013).Add(time.Duration(i*7) * time.Nanosecond)
		for _, loc := range []*time.Location{time.UTC, time.FixedZone("", -5*3600), time.FixedZone("", 5*3600+1800)} {
			s := tm.In(loc).Format(dbTimeLayouts[0])
			got, ok := parseSQLiteLayout(s)
			if !ok || !got.Equal(tm) {
				t.Fatalf("%q: %v, %v; want %v", s, got, ok, tm)
			}
		}
	}
}

func BenchmarkParseDBTime(b *testing.B) {
	for b.Loop() {
		_, _ = parseDBTime("2026-12-08 00:46:59.852369+00:00")
	}
}
