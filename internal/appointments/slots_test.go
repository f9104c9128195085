package appointments

import (
	"testing"
	"time"
)

// TestSlotsAcrossADaylightSavingChange: hours of 9:00 to 12:00 stay 9:00 to
// 12:00 on the wall clock in New York across the start of daylight saving
// time (8 March 2026), so in UTC they move by an hour; a day off removes a
// day's hours and extra hours add some; bookings and the past are left out.
func TestSlotsAcrossADaylightSavingChange(t *testing.T) {
	ny := Location{ID: "loc", Name: "Main Street", TimeZone: "America/New_York"}
	locs := map[string]Location{ny.ID: ny}
	var hours []Hours
	for _, wd := range []time.Weekday{time.Friday, time.Sunday, time.Monday, time.Tuesday} {
		hours = append(hours, Hours{ClinicianID: "doc", LocationID: "loc", Weekday: wd, StartMin: 9 * 60, EndMin: 12 * 60})
	}
	exc := []Exception{
		{ClinicianID: "doc", LocationID: "loc", Day: "2026-03-10", Kind: DayOff},
		{ClinicianID: "doc", LocationID: "loc", Day: "2026-03-07", Kind: Extra, StartMin: 14 * 60, EndMin: 15 * 60},
	}
	from := time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC)
	now := time.Date(2026, 3, 6, 14, 45, 0, 0, time.UTC) // Friday 9:45 EST
	booked := []Record{{ID: "b", ClinicianID: "doc", Status: Booked,
		StartsAt: time.Date(2026, 3, 9, 13, 0, 0, 0, time.UTC), EndsAt: time.Date(2026, 3, 9, 14, 0, 0, 0, time.UTC)}}
	got := free(windows(locs, hours, exc, from, to), booked, time.Hour, from, to, now, "")
	var utc []string
	for _, w := range got {
		utc = append(utc, w.start.UTC().Format("Mon 02 15:04"))
	}
	want := []string{
		"Fri 06 15:00", "Fri 06 16:00", // 10:00 and 11:00 EST; 9:00 has begun
		"Sat 07 19:00",                                 // extra hours, 14:00 EST
		"Sun 08 13:00", "Sun 08 14:00", "Sun 08 15:00", // 9:00 EDT: daylight saving time began at 2:00
		"Mon 09 14:00", "Mon 09 15:00", // 9:00 EDT is booked
		// Tuesday 10 March is a day off.
	}
	if len(utc) != len(want) {
		t.Fatalf("slots %v, want %v", utc, want)
	}
	for i := range want {
		if utc[i] != want[i] {
			t.Errorf("slot %d: %s, want %s (all: %v)", i, utc[i], want[i], utc)
		}
	}
	// Shown in the location's zone, the wall clock does not move.
	for _, w := range got {
		if h := w.start.In(ny.Zone()).Hour(); (h < 9 || h > 11) && h != 14 {
			t.Errorf("%s is outside 9 to 12 in New York", w.start.In(ny.Zone()))
		}
	}
	// Moving the booked appointment itself: its own time is free to it.
	again := free(windows(locs, hours, exc, from, to), booked, time.Hour, from, to, now, "b")
	if len(again) != len(got)+1 {
		t.Errorf("moving: %d slots, want %d", len(again), len(got)+1)
	}
}

func TestParsers(t *testing.T) {
	for in, want := range map[string]int{"09:00": 540, "24:00": 1440, "7:30": 450} {
		if got, ok := ParseClock(in); !ok || got != want {
			t.Errorf("ParseClock(%q) = %d %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "9", "25:00", "24:01", "09:60", "aa:bb", "-1:00"} {
		if _, ok := ParseClock(in); ok {
			t.Errorf("ParseClock(%q) accepted", in)
		}
	}
	for in, want := range map[string]int64{"": 0, "45": 4500, "45.5": 4550, "0.99": 99} {
		if got, ok := ParsePrice(in); !ok || got != want {
			t.Errorf("ParsePrice(%q) = %d %v", in, got, ok)
		}
	}
	for _, in := range []string{"-1", "1.234", "abc", ".5", "1e3"} {
		if _, ok := ParsePrice(in); ok {
			t.Errorf("ParsePrice(%q) accepted", in)
		}
	}
	if _, _, _, err := ParseSlot("x|y|z"); err == nil {
		t.Error("ParseSlot accepted junk")
	}
}
