package devices

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
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

// BucketLabel says in words what the period's trend line averages over
// ("12 hours"); "" for the day, whose trend is every reading.
func (p Period) BucketLabel() string {
	_, b := p.Span()
	switch b {
	case 0:
		return ""
	case time.Hour:
		return "an hour"
	}
	return strconv.Itoa(int(b/time.Hour)) + " hours"
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
// for the actor in ctx, for the chart page: one audited vault access for
// all it opens. The day period opens its minute-level chunks. The week,
// month and quarter read the thresholds, the type's roll-up (rollup.go) and
// the period's first day's chunk in one statement (seriesFromRollup); while
// the roll-up is missing or not usable they read, with a second statement,
// the thresholds and the day summaries instead: each day's small sealed
// summary (daysum.go), and
// the minute-level chunk only of the period's first day (it starts
// mid-day) and of a day whose summary is missing. Each row is opened and
// summed as it is read, nothing of it kept. Should a summary have been
// counted against another target range than the current one (the
// thresholds changed and the devices.summarize job has not run yet), the
// chart is built again from the minute-level chunks, with the same handle.
// Series.Readings is empty but for the day period; SeriesReadings has them
// all.
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
	// Why one audit event for summaries and chunks alike: both are the
	// same readings, read for the same chart (one event per data class per
	// view). Why before the statement: each row is opened as it is read.
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: access.Read,
		Purpose: dec.Purpose, Resource: "device_reading", AuditAction: "device_reading.read",
		Detail: fmt.Sprintf("type=%s period=%s", t, p)})
	if err != nil {
		return nil, err
	}
	if out, ok, err := s.seriesFromRollup(ctx, h, tenantID, patientID, t, p, from, look, now); err != nil || ok {
		return out, err
	}
	out := &Series{Type: t, Period: p, From: from, To: now}
	th := Defaults
	sb := newSeriesBuilder(out, fromDay, bucket)
	sb.s.Threshold = th.For(t)
	var day daySummary
	errStale := errors.New("a day summary counted against another range")
	chunks := false
	err = s.d.Store.DaySummaries(ctx, tenantID, patientID, t, look.Format(DayLayout), now.Format(DayLayout), fromDay, func(c Chunk) error {
		if c.Type == "" {
			if chunks {
				return errors.New("device thresholds: after the chunks")
			}
			var err error
			if th, err = openThresholds(h, patientID, &ThresholdRecord{ID: c.ID, DataCT: c.DataCT}); err != nil {
				return err
			}
			out.Threshold = th.For(t)
			return nil
		}
		chunks = true
		if c.DataCT != nil {
			d, err := openDay(h, patientID, c, from, out.Threshold)
			if err != nil {
				return err
			}
			sb.add(c.Day, &d)
			return nil
		}
		plain, err := h.OpenBytes(patientID, "device_chunks", "summary_ct", c.ID, c.SummaryCT)
		if err != nil {
			return err
		}
		if err := decodeSummaryInto(&day, plain.Reveal()); err != nil {
			return fmt.Errorf("device chunk %s: %w", c.ID, err)
		}
		// A summary counted against an earlier target range cannot say
		// the time in the current one.
		if c.Day >= fromDay && out.Threshold.HasRange() && day.Range != out.Threshold {
			return errStale
		}
		sb.add(c.Day, &day)
		return nil
	})
	if errors.Is(err, errStale) {
		return s.seriesFromChunks(ctx, h, tenantID, patientID, out, look, fromDay, bucket)
	}
	if err != nil {
		return nil, err
	}
	sb.finish()
	return out, nil
}

// seriesFromRollup builds a chart from the type's roll-up and the chunk of
// the period's first day (read from from on), with the handle the view
// already opened: one statement, two or three rows. It returns false,
// having built nothing, when the roll-up is missing, to be built again,
// counted against another range than the current one or starting after
// look's day; the caller then reads the day summaries.
func (s *Service) seriesFromRollup(ctx context.Context, h phi.Handle, tenantID, patientID string, t Type, p Period, from, look, now time.Time) (*Series, bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	_, bucket := p.Span()
	fromDay, lookDay, toDay := from.Format(DayLayout), look.Format(DayLayout), now.Format(DayLayout)
	out := &Series{Type: t, Period: p, From: from, To: now, Threshold: Defaults.For(t)}
	var first daySummary
	hasFirst, used := false, false
	err := s.d.Store.Chart(ctx, tenantID, patientID, t, fromDay, func(c Chunk) error {
		switch {
		case c.Type == "":
			th, err := openThresholds(h, patientID, &ThresholdRecord{ID: c.ID, DataCT: c.DataCT})
			if err != nil {
				return err
			}
			out.Threshold = th.For(t)
			return nil
		case c.Day != "":
			var err error
			first, err = openDay(h, patientID, c, from, out.Threshold)
			hasFirst = err == nil
			return err
		case c.SummaryCT == nil:
			return nil
		}
		plain, err := h.OpenBytes(patientID, "device_rollups", "data_ct", c.ID, c.SummaryCT)
		if err != nil {
			return err
		}
		r, err := decodeRollup(plain.Reveal())
		if err != nil {
			return fmt.Errorf("device roll-up %s: %w", c.ID, err)
		}
		// A roll-up counted against an earlier target range cannot say
		// the time in the current one; one that starts late lacks days.
		if r.from > lookDay || out.Threshold.HasRange() && r.Range != out.Threshold {
			return nil
		}
		used = true
		sb := newSeriesBuilder(out, fromDay, bucket)
		var day daySummary
		var dr dayReader
		for _, rd := range r.days {
			if rd.day < lookDay || rd.day == fromDay {
				continue
			}
			if rd.day > toDay {
				break
			}
			if hasFirst && rd.day > fromDay {
				sb.add(fromDay, &first)
				hasFirst = false
			}
			if err := dr.decodeDayInto(&day, rd.sum); err != nil {
				return fmt.Errorf("device roll-up %s, %s: %w", c.ID, rd.day, err)
			}
			sb.add(rd.day, &day)
		}
		if hasFirst {
			sb.add(fromDay, &first)
		}
		sb.finish()
		return nil
	})
	if err != nil || !used {
		return nil, false, err
	}
	return out, true, nil
}

// seriesFromChunks builds a chart from the minute-level chunks (a day
// summary was stale), with the handle the view already opened.
func (s *Service) seriesFromChunks(ctx context.Context, h phi.Handle, tenantID, patientID string, was *Series, look time.Time, fromDay string, bucket time.Duration) (*Series, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	out := &Series{Type: was.Type, Period: was.Period, From: was.From, To: was.To, Threshold: was.Threshold}
	chunks, err := s.d.Store.Chunks(ctx, tenantID, patientID, out.Type, look.Format(DayLayout), out.To.Format(DayLayout))
	if err != nil {
		return nil, err
	}
	sb := newSeriesBuilder(out, fromDay, bucket)
	for _, c := range chunks {
		d, err := openDay(h, patientID, c, out.From, out.Threshold)
		if err != nil {
			return nil, err
		}
		sb.add(c.Day, &d)
	}
	sb.finish()
	return out, nil
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

// seriesBuilder computes the trend, the days, the time in range and the
// flagged readings from day summaries given oldest first; days before
// fromDay count only for the latest reading. Times are whole unix seconds
// here, not time.Time (why: this runs for every hour of a quarter on every
// view). A bucket floored in unix seconds is the bucket time.Truncate
// gives: the buckets (1, 6 and 12 hours) divide a day, and time.Time's zero
// is a whole number of days before the unix epoch.
type seriesBuilder struct {
	s       *Series
	fromDay string
	b       int64
	cur     struct {
		sum, sum2 float64
		n         int
		at        int64
	}
	latest    stored
	hasLatest bool
}

func newSeriesBuilder(s *Series, fromDay string, bucket time.Duration) *seriesBuilder {
	b := int64(bucket / time.Second)
	if b <= 0 {
		b = 3600
	}
	days := int(s.To.Sub(s.From)/(24*time.Hour)) + 2
	s.Trend = make([]Point, 0, days*int(86400/b))
	s.Daily = make([]DayStat, 0, days)
	return &seriesBuilder{s: s, fromDay: fromDay, b: b}
}

func (sb *seriesBuilder) flush() {
	if c := &sb.cur; c.n > 0 {
		v := mean(c.sum, c.n)
		sb.s.Trend = append(sb.s.Trend, Point{At: time.Unix(c.at, 0).UTC(), Value: round1(v), Value2: round1(mean(c.sum2, c.n)), Flag: sb.s.Threshold.Flag(v)})
	}
	sb.cur.sum, sb.cur.sum2, sb.cur.n = 0, 0, 0
}

// add sums a day's summary (the day "2006-01-02").
func (sb *seriesBuilder) add(dayKey string, d *daySummary) {
	s := sb.s
	if d.hasLast || d.count() > 0 {
		sb.latest, sb.hasLatest = d.Last, true
	}
	if dayKey < sb.fromDay {
		return
	}
	start, ok := dayStart(dayKey)
	if !ok {
		return
	}
	var day DayStat
	var sum, sum2 float64
	for hr := range d.Hours {
		h := &d.Hours[hr]
		if h.N == 0 {
			continue
		}
		at := start + int64(hr)*3600
		at -= at % sb.b
		if sb.cur.n > 0 && at != sb.cur.at {
			sb.flush()
		}
		sb.cur.at = at
		sb.cur.sum += h.Sum
		sb.cur.sum2 += h.Sum2
		sb.cur.n += h.N
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
		day.Day, day.Value, day.Value2 = dayKey, round1(mean(sum, day.Count)), round1(mean(sum2, day.Count))
		if s.Type.Totals() {
			day.Value = round1(sum / 10)
		}
		s.Daily = append(s.Daily, day)
		s.N += day.Count
	}
	if s.Threshold.HasRange() {
		s.Below += d.Below
		s.In += d.In
		s.Above += d.Above
	}
	for _, f := range d.Flagged {
		s.Flagged = append(s.Flagged, Reading{At: time.Unix(f.T, 0).UTC(), Value: f.V, Value2: f.W, Flag: f.F})
	}
}

// finish closes the last bucket, puts the flagged readings newest first
// and sets the latest reading.
func (sb *seriesBuilder) finish() {
	sb.flush()
	slices.Reverse(sb.s.Flagged)
	if sb.hasLatest {
		l := sb.latest
		sb.s.Latest = &Reading{At: time.Unix(l.T, 0).UTC(), Value: l.V, Value2: l.W, Flag: l.F, DeviceID: l.D}
	}
}

// dayStart is the unix time a day ("2006-01-02", UTC) starts.
func dayStart(day string) (int64, bool) {
	if len(day) != len(DayLayout) || day[4] != '-' || day[7] != '-' {
		return 0, false
	}
	num := func(s string) int {
		n := 0
		for _, c := range []byte(s) {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, m, d := num(day[:4]), num(day[5:7]), num(day[8:])
	if y < 0 || m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, false
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix(), true
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
