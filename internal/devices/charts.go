package devices

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Period is how far back a chart looks.
type Period string

// The periods.
const (
	Day     Period = "day"
	Week    Period = "week"
	Month   Period = "month"
	Quarter Period = "quarter"
)

// Periods lists them, shortest first.
var Periods = []Period{Day, Week, Month, Quarter}

// ParsePeriod returns the period named s; an unknown name is Week.
func ParsePeriod(s string) Period {
	for _, p := range Periods {
		if string(p) == s {
			return p
		}
	}
	return Week
}

// Label is the period's name for people.
func (p Period) Label() string {
	switch p {
	case Day:
		return "Day"
	case Month:
		return "Month"
	case Quarter:
		return "Quarter"
	}
	return "Week"
}

// Span is how far back the period looks, and the bucket its trend line
// averages over (why averaged: a quarter of minute readings is 130,000
// points, more than a chart or a table can show).
func (p Period) Span() (span, bucket time.Duration) {
	switch p {
	case Day:
		return 24 * time.Hour, 0
	case Month:
		return 30 * 24 * time.Hour, 6 * time.Hour
	case Quarter:
		return 90 * 24 * time.Hour, 12 * time.Hour
	}
	return 7 * 24 * time.Hour, time.Hour
}

// Point is a point of a trend line: a reading, or the average of a bucket.
type Point struct {
	At            time.Time
	Value, Value2 float64
	Flag          Flag
}

// DayStat is one day of the bar chart.
type DayStat struct {
	Day string
	// Value is the day's average (its total for steps); Value2 the
	// diastolic average.
	Value, Value2 float64
	Min, Max      float64
	Count         int
}

// Series is a patient's readings of one type over a period: what the
// chart page shows.
type Series struct {
	Type      Type
	Period    Period
	From, To  time.Time
	Threshold Threshold
	// Latest is the newest reading of any time; nil when there is none.
	Latest *Reading
	Trend  []Point
	Daily  []DayStat
	// Below, In and Above count the period's readings against the range
	// (the doughnut); all zero without a range.
	Below, In, Above int
	// N is the number of readings in the period.
	N int
	// Readings are the period's readings, oldest first (the CSV): only
	// from SeriesReadings.
	Readings []Reading
	// Flagged are the period's alerting readings, newest first.
	Flagged []Reading
}

// Count is the number of readings in the period.
func (s *Series) Count() int { return s.N }

// TypeSummary is a type's count of readings, for the device page and widget.
type TypeSummary struct {
	Type     Type
	Readings int
	LastDay  string
}

// Summary counts a patient's readings per type (no values: nothing to open).
func (s *Service) Summary(ctx context.Context, tenantID, patientID string) ([]TypeSummary, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := s.d.Grants.Authorize(ctx, tenantID, patientID, access.DataDevices, access.Read); err != nil {
		return nil, err
	}
	return s.d.Store.Summary(ctx, tenantID, patientID)
}

// Series opens a patient's readings of a type over a period ending now,
// for the actor in ctx, for the chart page: one statement for the day
// summaries and one audited vault access for them all. The day period opens
// its minute-level chunks; the week, month and quarter open each day's
// small sealed summary instead (daysum.go), and the minute-level chunk only
// of the period's first day (it starts mid-day) and of a day whose summary
// is missing or was counted against another target range. Series.Readings
// is empty but for the day period; SeriesReadings has them all.
func (s *Service) Series(ctx context.Context, tenantID, patientID string, t Type, p Period) (*Series, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if p == Day {
		return s.SeriesReadings(ctx, tenantID, patientID, t, p)
	}
	dec, err := s.d.Grants.Authorize(ctx, tenantID, patientID, access.DataDevices, access.Read)
	if err != nil {
		return nil, err
	}
	now := s.d.Clock.Now().UTC()
	span, bucket := p.Span()
	from := now.Add(-span)
	fromDay := from.Format(DayLayout)
	// The newest reading may be older than the period: look back a quarter
	// for the "latest" number (each day's summary carries its newest).
	look := now.Add(-90 * 24 * time.Hour)
	if from.Before(look) {
		look = from
	}
	chunks, err := s.d.Store.DaySummaries(ctx, tenantID, patientID, t, look.Format(DayLayout), now.Format(DayLayout), fromDay)
	if err != nil {
		return nil, err
	}
	out := &Series{Type: t, Period: p, From: from, To: now}
	// Why one audit event for summaries and chunks alike: both are the
	// same readings, read for the same chart (one event per data class per
	// view).
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: access.Read,
		Purpose: dec.Purpose, Resource: "device_reading", AuditAction: "device_reading.read",
		Detail: fmt.Sprintf("type=%s period=%s days=%d", t, p, len(chunks))})
	if err != nil {
		return nil, err
	}
	th, err := s.thresholds(ctx, h, tenantID, patientID)
	if err != nil {
		return nil, err
	}
	out.Threshold = th.For(t)
	days := make([]dayEntry, len(chunks))
	var stale []int
	for i, c := range chunks {
		days[i].day = c.Day
		if c.DataCT == nil {
			plain, err := h.OpenBytes(patientID, "device_chunks", "summary_ct", c.ID, c.SummaryCT)
			if err != nil {
				return nil, err
			}
			if days[i].sum, err = decodeSummary(plain.Reveal()); err != nil {
				return nil, fmt.Errorf("device chunk %s: %w", c.ID, err)
			}
			// A summary counted against an earlier target range cannot
			// say the time in the current one: that day is read whole.
			if c.Day >= fromDay && out.Threshold.HasRange() && days[i].sum.Range != out.Threshold {
				stale = append(stale, i)
			}
			continue
		}
		if days[i].sum, err = openDay(h, patientID, c, from, out.Threshold); err != nil {
			return nil, err
		}
	}
	if len(stale) > 0 {
		whole, err := s.d.Store.Chunks(ctx, tenantID, patientID, t, chunks[stale[0]].Day, chunks[stale[len(stale)-1]].Day)
		if err != nil {
			return nil, err
		}
		byDay := map[string]Chunk{}
		for _, c := range whole {
			byDay[c.Day] = c
		}
		for _, i := range stale {
			c, ok := byDay[days[i].day]
			if !ok {
				return nil, fmt.Errorf("device chunk of %s: gone while read", days[i].day)
			}
			if days[i].sum, err = openDay(h, patientID, c, from, out.Threshold); err != nil {
				return nil, err
			}
		}
	}
	out.buildDays(days, fromDay, bucket)
	return out, nil
}

// dayEntry is a day's summary in a chart.
type dayEntry struct {
	day string
	sum daySummary
}

// openDay opens a day's minute-level chunk and sums its readings from
// from on against th; its newest reading is the day's whatever from.
func openDay(h phi.Handle, patientID string, c Chunk, from time.Time, th Threshold) (daySummary, error) {
	plain, err := h.OpenBytes(patientID, "device_chunks", "data_ct", c.ID, c.DataCT)
	if err != nil {
		return daySummary{}, err
	}
	rs, err := decodeChunk(plain.Reveal())
	if err != nil {
		return daySummary{}, fmt.Errorf("device chunk %s: %w", c.ID, err)
	}
	start := from.Unix()
	i := 0
	for i < len(rs) && rs[i].T < start {
		i++
	}
	d := summarize(rs[i:], th)
	if n := len(rs); n > 0 {
		d.Last = rs[n-1]
	}
	d.hasLast = len(rs) > 0
	return d, nil
}

// buildDays computes the trend, the days, the time in range and the
// flagged readings from day summaries (oldest first); days before fromDay
// count only for the latest reading.
func (s *Series) buildDays(days []dayEntry, fromDay string, bucket time.Duration) {
	var cur struct {
		sum, sum2 float64
		n         int
		at        time.Time
	}
	flush := func() {
		if cur.n > 0 {
			v := mean(cur.sum, cur.n)
			s.Trend = append(s.Trend, Point{At: cur.at, Value: round1(v), Value2: round1(mean(cur.sum2, cur.n)), Flag: s.Threshold.Flag(v)})
		}
		cur.sum, cur.sum2, cur.n = 0, 0, 0
	}
	for _, d := range days {
		if d.sum.hasLast || d.sum.count() > 0 {
			last := Reading{At: time.Unix(d.sum.Last.T, 0).UTC(), Value: d.sum.Last.V, Value2: d.sum.Last.W, Flag: d.sum.Last.F, DeviceID: d.sum.Last.D}
			s.Latest = &last
		}
		if d.day < fromDay {
			continue
		}
		start, err := time.Parse(DayLayout, d.day)
		if err != nil {
			continue
		}
		var day DayStat
		var sum, sum2 float64
		for hr, h := range d.sum.Hours {
			if h.N == 0 {
				continue
			}
			at := start.Add(time.Duration(hr) * time.Hour).Truncate(bucket)
			if cur.n > 0 && !at.Equal(cur.at) {
				flush()
			}
			cur.at = at
			cur.sum += h.Sum
			cur.sum2 += h.Sum2
			cur.n += h.N
			if day.Count == 0 || h.Min < day.Min {
				day.Min = h.Min
			}
			if day.Count == 0 || h.Max > day.Max {
				day.Max = h.Max
			}
			day.Count += h.N
			sum += h.Sum
			sum2 += h.Sum2
		}
		if day.Count > 0 {
			day.Day, day.Value, day.Value2 = d.day, round1(mean(sum, day.Count)), round1(mean(sum2, day.Count))
			if s.Type.Totals() {
				day.Value = round1(sum / 10)
			}
			s.Daily = append(s.Daily, day)
			s.N += day.Count
		}
		if s.Threshold.HasRange() {
			s.Below += d.sum.Below
			s.In += d.sum.In
			s.Above += d.sum.Above
		}
		for _, f := range d.sum.Flagged {
			s.Flagged = append([]Reading{{At: time.Unix(f.T, 0).UTC(), Value: f.V, Value2: f.W, Flag: f.F}}, s.Flagged...)
		}
	}
	flush()
}

// SeriesReadings opens a patient's readings of a type over a period ending
// now with every reading (the day chart and the CSV), for the actor in
// ctx: one statement for the chunks and one audited vault access for them
// all.
func (s *Service) SeriesReadings(ctx context.Context, tenantID, patientID string, t Type, p Period) (*Series, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	dec, err := s.d.Grants.Authorize(ctx, tenantID, patientID, access.DataDevices, access.Read)
	if err != nil {
		return nil, err
	}
	now := s.d.Clock.Now().UTC()
	span, bucket := p.Span()
	from := now.Add(-span)
	// The newest reading may be older than the period: look back a quarter
	// for the "latest" number.
	look := now.Add(-90 * 24 * time.Hour)
	if from.Before(look) {
		look = from
	}
	chunks, err := s.d.Store.Chunks(ctx, tenantID, patientID, t, look.Format(DayLayout), now.Format(DayLayout))
	if err != nil {
		return nil, err
	}
	out := &Series{Type: t, Period: p, From: from, To: now}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: access.Read,
		Purpose: dec.Purpose, Resource: "device_reading", AuditAction: "device_reading.read",
		Detail: fmt.Sprintf("type=%s period=%s chunks=%d", t, p, len(chunks))})
	if err != nil {
		return nil, err
	}
	th, err := s.thresholds(ctx, h, tenantID, patientID)
	if err != nil {
		return nil, err
	}
	out.Threshold = th.For(t)
	all := make([]Reading, 0, 1440*len(chunks)/4)
	for _, c := range chunks {
		plain, err := h.OpenBytes(patientID, "device_chunks", "data_ct", c.ID, c.DataCT)
		if err != nil {
			return nil, err
		}
		rs, err := decodeChunk(plain.Reveal())
		if err != nil {
			return nil, fmt.Errorf("device chunk %s: %w", c.ID, err)
		}
		for _, r := range rs {
			all = append(all, Reading{At: time.Unix(r.T, 0).UTC(), Value: r.V, Value2: r.W, Flag: r.F, DeviceID: r.D})
		}
	}
	if n := len(all); n > 0 {
		last := all[n-1]
		out.Latest = &last
	}
	for _, r := range all {
		if r.At.Before(from) {
			continue
		}
		out.Readings = append(out.Readings, r)
	}
	out.N = len(out.Readings)
	out.build(bucket)
	return out, nil
}

// build computes the trend, the days, the time in range and the flagged
// readings from Readings.
func (s *Series) build(bucket time.Duration) {
	type acc struct {
		sum, sum2, min, max float64
		n                   int
		at                  time.Time
	}
	add := func(a *acc, r Reading) {
		if a.n == 0 || r.Value < a.min {
			a.min = r.Value
		}
		if a.n == 0 || r.Value > a.max {
			a.max = r.Value
		}
		a.sum += tenths(r.Value)
		a.sum2 += tenths(r.Value2)
		a.n++
	}
	var cur acc
	flush := func() {
		if cur.n > 0 {
			v := mean(cur.sum, cur.n)
			s.Trend = append(s.Trend, Point{At: cur.at, Value: round1(v), Value2: round1(mean(cur.sum2, cur.n)), Flag: s.Threshold.Flag(v)})
		}
		cur = acc{}
	}
	var day acc
	dayKey := ""
	flushDay := func() {
		if day.n > 0 {
			v := mean(day.sum, day.n)
			if s.Type.Totals() {
				v = day.sum / 10
			}
			s.Daily = append(s.Daily, DayStat{Day: dayKey, Value: round1(v), Value2: round1(mean(day.sum2, day.n)), Min: day.min, Max: day.max, Count: day.n})
		}
		day = acc{}
	}
	for _, r := range s.Readings {
		if bucket == 0 {
			s.Trend = append(s.Trend, Point{At: r.At, Value: r.Value, Value2: r.Value2, Flag: r.Flag})
		} else {
			start := r.At.Truncate(bucket)
			if cur.n > 0 && !start.Equal(cur.at) {
				flush()
			}
			cur.at = start
			add(&cur, r)
		}
		if k := r.At.Format(DayLayout); k != dayKey {
			flushDay()
			dayKey = k
		}
		add(&day, r)
		if s.Threshold.HasRange() {
			switch f := s.Threshold.Flag(r.Value); f {
			case Below, AlertLow:
				s.Below++
			case Above, AlertHigh:
				s.Above++
			default:
				s.In++
			}
		}
		if r.Flag.Alerting() {
			s.Flagged = append([]Reading{r}, s.Flagged...)
		}
	}
	flush()
	flushDay()
}

// Percent is a share of the period's readings in whole percent.
func (s *Series) Percent(n int) int {
	total := s.Below + s.In + s.Above
	if total == 0 {
		return 0
	}
	return int(math.Round(100 * float64(n) / float64(total)))
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// Text shows a reading's value with its type's precision ("120/80" for
// blood pressure).
func (r Reading) Text(t Type) string {
	if t == BP {
		return Format(t, r.Value) + "/" + Format(t, r.Value2)
	}
	return Format(t, r.Value)
}

// Text shows a point's value; see Reading.Text.
func (p Point) Text(t Type) string { return Reading{Value: p.Value, Value2: p.Value2}.Text(t) }

// Text shows a day's figure; see Reading.Text.
func (d DayStat) Text(t Type) string { return Reading{Value: d.Value, Value2: d.Value2}.Text(t) }

// Fmt shows a value of the series' type.
func (s *Series) Fmt(v float64) string { return Format(s.Type, v) }

// Range shows the target range in words, "" without one.
func (s *Series) Range() string {
	th := s.Threshold
	switch {
	case th.Low > 0 && th.High > 0:
		return s.Fmt(th.Low) + "–" + s.Fmt(th.High) + " " + s.Type.Unit()
	case th.Low > 0:
		return "at least " + s.Fmt(th.Low) + " " + s.Type.Unit()
	case th.High > 0:
		return "at most " + s.Fmt(th.High) + " " + s.Type.Unit()
	}
	return ""
}
