package devices

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

// TestSummariesGiveWhatReadingsGive is a property test: for random
// readings (posted in mg/dL and mmol/L, past every threshold, with gaps of
// days and hours, glucose and blood pressure), the chart built from sealed
// day summaries the way Series builds it (each day's summary encoded and
// decoded, then through a roll-up's encoding; the period's first day from
// its minute-level chunk) equals the chart built from every reading the
// way SeriesReadings builds it: the trend, the days, time in range, the
// flagged readings and the latest.
func TestSummariesGiveWhatReadingsGive(t *testing.T) {
	now := time.Date(2026, 12, 7, 15, 24, 33, 0, time.UTC)
	const dev = "01890000-0000-7000-8000-000000000001"
	for i := range 120 {
		rng := rand.New(rand.NewPCG(uint64(i), 17))
		typ := []Type{Glucose, BP}[i%2]
		p := []Period{Week, Month, Quarter}[i%3]
		th := Defaults.For(typ)
		// The readings, through the parser (so units convert as posted).
		var raw []map[string]any
		at := now.Add(-time.Duration(rng.IntN(95*24)) * time.Hour).Truncate(time.Minute)
		for at.Before(now) && len(raw) < 1000 {
			r := map[string]any{"type": string(typ), "measured_at": at.Format(time.RFC3339)}
			if typ == Glucose {
				v := 20 + rng.Float64()*400 // below 54, in range, above 300
				if rng.IntN(2) == 0 {
					r["value"], r["unit"] = float64(int(v/18.0156*10))/10, "mmol/L"
				} else {
					r["value"], r["unit"] = float64(int(v*10))/10, "mg/dL"
				}
			} else {
				r["systolic"], r["diastolic"], r["unit"] = 60+rng.IntN(150), 40+rng.IntN(80), "mm[Hg]"
			}
			raw = append(raw, r)
			step := time.Duration(1+rng.IntN(180)) * time.Minute
			if rng.IntN(20) == 0 {
				step = time.Duration(1+rng.IntN(5*24)) * time.Hour // a gap
			}
			at = at.Add(step)
		}
		body, _ := json.Marshal(map[string]any{"batch_id": fmt.Sprint("b", i), "readings": raw})
		b, err := Parse(body, "", now)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		// Stored as ingestion stores them: flagged, in day chunks.
		byDay := map[string][]stored{}
		for _, in := range b.Readings {
			day := in.At.UTC().Format(DayLayout)
			byDay[day] = append(byDay[day], stored{T: in.At.Unix(), V: in.Value, W: in.Value2, F: th.Flag(in.Value), D: dev})
		}
		days := make([]string, 0, len(byDay))
		for d := range byDay {
			days = append(days, d)
		}
		slices.Sort(days)
		chunks := map[string][]stored{}
		for _, d := range days {
			plain, err := encodeChunk(byDay[d])
			if err != nil {
				t.Fatal(err)
			}
			if chunks[d], err = decodeChunk(plain); err != nil {
				t.Fatal(err)
			}
		}

		span, bucket := p.Span()
		from := now.Add(-span)
		fromDay := from.Format(DayLayout)
		look := now.Add(-90 * 24 * time.Hour)
		if from.Before(look) {
			look = from
		}
		lookDay := look.Format(DayLayout)

		// From summaries, as Series.
		got := &Series{Type: typ, Period: p, From: from, To: now, Threshold: th}
		sb := newSeriesBuilder(got, fromDay, bucket)
		var day daySummary
		var dr dayReader
		for _, d := range days {
			if d < lookDay {
				continue
			}
			if d == fromDay {
				start := from.Unix()
				rs := chunks[d]
				j := 0
				for j < len(rs) && rs[j].T < start {
					j++
				}
				first := summarize(rs[j:], th)
				first.Last, first.hasLast = rs[len(rs)-1], true
				sb.add(d, &first)
				continue
			}
			plain, err := encodeSummary(summarize(chunks[d], th))
			if err != nil {
				t.Fatal(err)
			}
			if err := decodeSummaryInto(&day, plain); err != nil {
				t.Fatal(err)
			}
			// And as a roll-up holds it (rollup.go).
			rolled, err := encodeDay(&day)
			if err != nil {
				t.Fatal(err)
			}
			if err := dr.decodeDayInto(&day, rolled); err != nil {
				t.Fatal(err)
			}
			sb.add(d, &day)
		}
		sb.finish()

		// From every reading, as SeriesReadings.
		want := &Series{Type: typ, Period: p, From: from, To: now, Threshold: th}
		for _, d := range days {
			if d < lookDay {
				continue
			}
			for _, r := range chunks[d] {
				rd := Reading{At: time.Unix(r.T, 0).UTC(), Value: r.V, Value2: r.W, Flag: r.F, DeviceID: r.D}
				want.Latest = &rd
				if !rd.At.Before(from) {
					want.Readings = append(want.Readings, rd)
				}
			}
		}
		want.N = len(want.Readings)
		want.build(bucket)
		want.Readings = nil
		// A summary keeps no device for its flagged readings (the page
		// does not show it).
		for k := range want.Flagged {
			want.Flagged[k].DeviceID = ""
		}

		if len(got.Trend) == 0 && len(want.Trend) == 0 {
			got.Trend, want.Trend = nil, nil
		}
		if len(got.Daily) == 0 && len(want.Daily) == 0 {
			got.Daily, want.Daily = nil, nil
		}
		if !reflect.DeepEqual(got, want) {
			for k := range max(len(got.Trend), len(want.Trend)) {
				if k >= len(got.Trend) || k >= len(want.Trend) || got.Trend[k] != want.Trend[k] {
					t.Logf("trend %d differs", k)
					break
				}
			}
			t.Fatalf("%d (%s, %s, %d readings): summaries give\n%+v\nreadings give\n%+v", i, typ, p, len(b.Readings), got, want)
		}
	}
}

// TestDecodeSummaryRefusesMalformed: a malformed summary is an error,
// never a panic, and decoding into a used summary leaves nothing of it.
func TestDecodeSummaryRefusesMalformed(t *testing.T) {
	th := Defaults.For(Glucose)
	rs := []stored{{T: 1796000000, V: 40, F: AlertLow, D: "01890000-0000-7000-8000-000000000001"},
		{T: 1796003600, V: 120, F: InRange, D: "01890000-0000-7000-8000-000000000001"}}
	b, err := encodeSummary(summarize(rs, th))
	if err != nil {
		t.Fatal(err)
	}
	var d daySummary
	if err := decodeSummaryInto(&d, b); err != nil || len(d.Flagged) != 1 || d.count() != 2 {
		t.Fatalf("decode: %+v %v", d, err)
	}
	b2, _ := encodeSummary(summarize(rs[1:], th))
	if err := decodeSummaryInto(&d, b2); err != nil || len(d.Flagged) != 0 || d.count() != 1 || d.Below != 0 {
		t.Fatalf("decode into a used summary: %+v %v", d, err)
	}
	for _, bad := range [][]byte{nil, {2}, b[:len(b)-1], append(slices.Clone(b), 0)} {
		if err := decodeSummaryInto(&d, bad); err == nil {
			t.Errorf("decoded %d bytes", len(bad))
		}
	}
}
