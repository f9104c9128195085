package devices

import (
	"bytes"
	"reflect"
	"testing"
	"time"
)

// TestRollupRoundTrip: a roll-up's days come back as encoded, oldest
// first, with its first day and range; a truncated, padded or unsorted
// roll-up is malformed, not misread.
func TestRollupRoundTrip(t *testing.T) {
	now := time.Date(2026, 12, 7, 15, 24, 33, 0, time.UTC)
	th := Defaults.For(Glucose)
	var days []rollDay
	var sums []daySummary
	for i := range 5 {
		day := now.AddDate(0, 0, i-4)
		rs := []stored{{T: day.Unix(), V: 100.3 + float64(i), W: 0, F: InRange, D: "01890000-0000-7000-8000-000000000001"},
			{T: day.Add(time.Hour).Unix(), V: 40.1, W: 0, F: AlertLow, D: "01890000-0000-7000-8000-000000000002"},
			{T: day.Add(90 * time.Minute).Unix(), V: 350, W: 80.5, F: AlertHigh, D: "01890000-0000-7000-8000-000000000002"},
			{T: day.Add(5 * time.Hour).Unix(), V: 190.7, W: 0, F: Above, D: "01890000-0000-7000-8000-000000000001"},
			// A value of several varint bytes (a day's steps).
			{T: day.Add(7 * time.Hour).Unix(), V: 150000.5, W: 0, F: Above, D: "01890000-0000-7000-8000-000000000001"}}
		d := summarize(rs, th)
		sum, err := encodeDay(&d)
		if err != nil {
			t.Fatal(err)
		}
		d.Range = Threshold{}
		sums = append(sums, d)
		days = append(days, rollDay{day: day.Format(DayLayout), sum: sum})
	}
	from := rollupFrom(now)
	if want := now.AddDate(0, 0, -92).Format(DayLayout); from != want {
		t.Fatalf("first day %s, want %s", from, want)
	}
	b, err := encodeRollup(rollup{from: from, Range: th, days: days})
	if err != nil {
		t.Fatal(err)
	}
	r, err := decodeRollup(b)
	if err != nil {
		t.Fatal(err)
	}
	if r.from != from || r.Range != th || len(r.days) != len(days) {
		t.Fatalf("decoded %s %+v %d days", r.from, r.Range, len(r.days))
	}
	for i, d := range r.days {
		if d.day != days[i].day || !bytes.Equal(d.sum, days[i].sum) {
			t.Fatalf("day %d: %s, want %s", i, d.day, days[i].day)
		}
		var s daySummary
		var dr dayReader
		if err := dr.decodeDayInto(&s, d.sum); err != nil || !reflect.DeepEqual(s, sums[i]) {
			t.Fatalf("day %d summary: %+v, want %+v, %v", i, s, sums[i], err)
		}
		for _, cut := range []int{1, 7, len(d.sum) - 1} {
			if err := dr.decodeDayInto(&s, d.sum[:cut]); err == nil {
				t.Fatalf("day %d cut at %d: decoded", i, cut)
			}
		}
	}
	for name, bad := range map[string][]byte{
		"truncated": b[:len(b)-1],
		"padded":    append(bytes.Clone(b), 0),
		"empty":     nil,
		"version":   append([]byte{9}, b[1:]...),
	} {
		if _, err := decodeRollup(bad); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	unsorted, err := encodeRollup(rollup{from: from, Range: th, days: []rollDay{days[1], days[0]}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeRollup(unsorted); err == nil {
		t.Error("unsorted days: decoded")
	}
}
