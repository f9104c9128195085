package devices

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/phi"
)

// A roll-up is a patient's day summaries of one type over the last quarter
// (and two days), sealed as one blob in device_rollups and written by each
// batch in the same transaction as the chunks it merges. Why: the week,
// month and quarter charts open this one row instead of 90 summaries, each
// its own row and its own decryption, which were most of the chart's cost.
// It holds the day summaries as they are (daysum.go), counted against one
// target range (Range): a roll-up counted against another range than the
// current one is not used, and the next batch (or the devices.summarize
// job) builds it again from the chunks. A roll-up whose data is missing
// (NULL) is built again the same way; meanwhile the charts read the day
// summaries.
//
//	byte 0        version (1)
//	10            the first day it holds ("2006-01-02"): days before it were dropped
//	4 × 8         the range its summaries counted against
//	4             the number of days
//	per day:      10 the day, 4 the summary's length, the summary (below)
//
// Little-endian throughout; days oldest first. A day's summary is the day
// summary's content written compactly (a third of its size for a glucose
// meter's day, so a quarter is about 25 kB to read and open, not 70):
// values in whole tenths as varints, no range (the roll-up's is theirs).
//
//	uvarint       bitmask of the hours that have readings
//	per such hour: uvarint count, varint sum, sum2, min, max (tenths)
//	3 uvarints    below, in, above
//	4 + 2 varints + 1 + 36   the newest reading: time, values, flag, device id
//	uvarint       the number of alerting readings, then each: 4 time, 2 varints values, 1 flag
const (
	rollupVersion = 1
	rollupHead    = 1 + len(DayLayout) + 32 + 4
	// rollupSpan is how far back a roll-up keeps days from the time of its
	// batch: the quarter chart looks back 90 days; two more days keep
	// the days the chart reads when the chart's clock is a little ahead of
	// the last batch's.
	rollupSpan = 92 * 24 * time.Hour
)

// rollDay is a day of a roll-up: its day and its summary's plaintext.
type rollDay struct {
	day string
	sum []byte
}

// rollup is what a roll-up holds (see above).
type rollup struct {
	from  string
	Range Threshold
	days  []rollDay
}

// rollupFrom is the first day a roll-up written at now keeps.
func rollupFrom(now time.Time) string { return now.Add(-rollupSpan).UTC().Format(DayLayout) }

// encodeRollup writes a roll-up's plaintext.
func encodeRollup(r rollup) ([]byte, error) {
	if len(r.from) != len(DayLayout) {
		return nil, errors.New("device roll-up: a bad first day")
	}
	n := rollupHead
	for _, d := range r.days {
		n += len(DayLayout) + 4 + len(d.sum)
	}
	out := make([]byte, 0, n)
	out = append(out, rollupVersion)
	out = append(out, r.from...)
	for _, f := range []float64{r.Range.Low, r.Range.High, r.Range.AlertLow, r.Range.AlertHigh} {
		out = binary.LittleEndian.AppendUint64(out, math.Float64bits(f))
	}
	out = binary.LittleEndian.AppendUint32(out, uint32(len(r.days))) //nolint:gosec // a quarter's days
	for _, d := range r.days {
		if len(d.day) != len(DayLayout) {
			return nil, errors.New("device roll-up: a bad day")
		}
		out = append(out, d.day...)
		out = binary.LittleEndian.AppendUint32(out, uint32(len(d.sum))) //nolint:gosec // a day's summary, far below 2^32
		out = append(out, d.sum...)
	}
	return out, nil
}

// encodeDay writes a day's summary as a roll-up holds it (see above).
func encodeDay(d *daySummary) ([]byte, error) {
	if d.Last.D != "" && len(d.Last.D) != idLen {
		return nil, errors.New("device roll-up: a bad device id")
	}
	out := make([]byte, 0, 4+24*12+12+4+20+idLen+4+len(d.Flagged)*14)
	var mask uint64
	for i, h := range d.Hours {
		if h.N > 0 {
			mask |= 1 << i
		}
	}
	out = binary.AppendUvarint(out, mask)
	for _, h := range d.Hours {
		if h.N == 0 {
			continue
		}
		out = binary.AppendUvarint(out, uint64(h.N)) //nolint:gosec // a count, not negative
		out = binary.AppendVarint(out, int64(h.Sum))
		out = binary.AppendVarint(out, int64(h.Sum2))
		out = binary.AppendVarint(out, int64(tenths(h.Min)))
		out = binary.AppendVarint(out, int64(tenths(h.Max)))
	}
	for _, n := range []int{d.Below, d.In, d.Above} {
		out = binary.AppendUvarint(out, uint64(n)) //nolint:gosec // a count, not negative
	}
	out = appendTenths(out, d.Last)
	dev := d.Last.D
	if dev == "" {
		dev = string(make([]byte, idLen))
	}
	out = append(out, dev...)
	out = binary.AppendUvarint(out, uint64(len(d.Flagged)))
	for _, f := range d.Flagged {
		out = appendTenths(out, f)
	}
	return out, nil
}

// appendTenths writes a reading's time, values (in tenths) and flag.
func appendTenths(out []byte, r stored) []byte {
	out = binary.LittleEndian.AppendUint32(out, uint32(r.T)) //nolint:gosec // a reading's time is within two years of now (Parse), far from 2106
	out = binary.AppendVarint(out, int64(tenths(r.V)))
	out = binary.AppendVarint(out, int64(tenths(r.W)))
	return append(out, flagCode(r.F))
}

// dayReader reads what encodeDay wrote.
type dayReader struct {
	b   []byte
	bad bool
	// dev is the last device id read: days of one device share it.
	dev string
}

func (r *dayReader) uvarint() int {
	v, n := binary.Uvarint(r.b)
	if n <= 0 || v > math.MaxInt32 {
		r.bad, r.b = true, nil
		return 0
	}
	r.b = r.b[n:]
	return int(v)
}

func (r *dayReader) tenths() float64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.bad, r.b = true, nil
		return 0
	}
	r.b = r.b[n:]
	return float64(v)
}

func (r *dayReader) reading() stored {
	if len(r.b) < 4 {
		r.bad, r.b = true, nil
		return stored{}
	}
	s := stored{T: int64(binary.LittleEndian.Uint32(r.b))}
	r.b = r.b[4:]
	s.V, s.W = r.tenths()/10, r.tenths()/10
	if len(r.b) < 1 || int(r.b[0]) >= len(flagCodes) {
		r.bad, r.b = true, nil
		return stored{}
	}
	s.F = flagCodes[r.b[0]]
	r.b = r.b[1:]
	return s
}

// decodeDayInto reads a roll-up's day summary into d (its range is the
// roll-up's, not set here), reusing its flagged readings' space.
func (r *dayReader) decodeDayInto(d *daySummary, b []byte) error {
	flagged := d.Flagged[:0]
	*d = daySummary{}
	r.b, r.bad = b, false
	mask := r.uvarint()
	// The hours inline (why: they are most of a quarter's roll-up, 2,000
	// hours of five numbers on each view); a number of one or two bytes
	// read here, a longer one by encoding/binary.
	b, i := r.b, 0
	for hr := range d.Hours {
		if mask&(1<<hr) == 0 {
			continue
		}
		var v [5]uint64
		for k := range v {
			switch {
			case i < len(b) && b[i] < 0x80:
				v[k] = uint64(b[i])
				i++
			case i+1 < len(b) && b[i+1] < 0x80:
				v[k] = uint64(b[i]&0x7f) | uint64(b[i+1])<<7
				i += 2
			default:
				x, n := binary.Uvarint(b[min(i, len(b)):])
				if n <= 0 {
					return errBadRollup
				}
				v[k] = x
				i += n
			}
		}
		if v[0] > math.MaxInt32 {
			return errBadRollup
		}
		h := &d.Hours[hr]
		h.N = int(v[0]) //nolint:gosec // checked against MaxInt32 above
		h.Sum, h.Sum2 = unzig(v[1]), unzig(v[2])
		h.Min, h.Max = unzig(v[3])/10, unzig(v[4])/10
	}
	r.b = b[i:]
	d.Below, d.In, d.Above = r.uvarint(), r.uvarint(), r.uvarint()
	d.Last = r.reading()
	if r.bad || len(r.b) < idLen {
		return errBadRollup
	}
	if dev := r.b[:idLen]; string(dev) != r.dev {
		r.dev = string(dev)
	}
	d.Last.D = r.dev
	r.b = r.b[idLen:]
	n := r.uvarint()
	if n > len(r.b) {
		return errBadRollup
	}
	for range n {
		flagged = append(flagged, r.reading())
	}
	if r.bad || len(r.b) != 0 {
		return errBadRollup
	}
	d.Flagged = flagged
	return nil
}

// unzig is a varint's value (binary.AppendVarint's zigzag undone).
func unzig(u uint64) float64 {
	x := int64(u >> 1) //nolint:gosec // zigzag: the top bit is shifted out
	if u&1 != 0 {
		x = ^x
	}
	return float64(x)
}

// errBadRollup is a malformed roll-up.
var errBadRollup = errors.New("device roll-up: malformed")

// decodeRollup reads a roll-up's plaintext; its days' summaries are b's
// bytes (not copied).
func decodeRollup(b []byte) (rollup, error) {
	var r rollup
	if len(b) < rollupHead || b[0] != rollupVersion {
		return r, errBadRollup
	}
	r.from = string(b[1 : 1+len(DayLayout)])
	b = b[1+len(DayLayout):]
	f := func(i int) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:])) }
	r.Range = Threshold{Low: f(0), High: f(1), AlertLow: f(2), AlertHigh: f(3)}
	n := int(binary.LittleEndian.Uint32(b[32:]))
	b = b[36:]
	if n > len(b)/(len(DayLayout)+4) {
		return r, errBadRollup
	}
	r.days = make([]rollDay, 0, n)
	for range n {
		if len(b) < len(DayLayout)+4 {
			return r, errBadRollup
		}
		day := string(b[:len(DayLayout)])
		l := int(binary.LittleEndian.Uint32(b[len(DayLayout):]))
		b = b[len(DayLayout)+4:]
		if l > len(b) || len(r.days) > 0 && day <= r.days[len(r.days)-1].day {
			return r, errBadRollup
		}
		r.days = append(r.days, rollDay{day: day, sum: b[:l:l]})
		b = b[l:]
	}
	if len(b) != 0 {
		return r, errBadRollup
	}
	return r, nil
}

// Rollup is what a batch gives the store to keep a type's roll-up (see
// IngestBatch.Rollup): the roll-up's row id, its ciphertext (nil when there
// is none or it is to be built again), the days the batch merged, and a
// function returning the type's chunks from a day on as the transaction
// sees them (for a roll-up built again). It returns the roll-up sealed
// anew.
type Rollup func(rollupID string, t Type, existing []byte, merged []Merged, window func(from string) ([]Chunk, error)) ([]byte, error)

// updateRollup is a batch's Rollup: the roll-up as it was with the batch's
// days in it, or, if it is missing, counted against another range than th,
// malformed or starting after the first day it must hold, built again from
// the chunks (their summaries; a chunk's readings where its summary is
// missing or counted against another range). Days before the first day it
// keeps (rollupFrom) are dropped.
func updateRollup(h phi.Handle, patientID, rollupID string, th Threshold, now time.Time, existing []byte, merged []Merged, window func(from string) ([]Chunk, error)) ([]byte, error) {
	from := rollupFrom(now)
	var days []rollDay
	built := false
	if existing != nil {
		plain, err := h.OpenBytes(patientID, "device_rollups", "data_ct", rollupID, existing)
		if err != nil {
			return nil, err
		}
		if r, err := decodeRollup(plain.Reveal()); err == nil && r.Range == th && r.from <= from {
			days, built = r.days, true
		}
	}
	if !built {
		var err error
		if days, err = rollupDays(h, patientID, th, from, window); err != nil {
			return nil, err
		}
	}
	for _, m := range merged {
		if m.Day < from || m.summary == nil {
			continue
		}
		i, found := slices.BinarySearchFunc(days, m.Day, func(d rollDay, day string) int { return strings.Compare(d.day, day) })
		if found {
			days[i].sum = m.summary
		} else {
			days = slices.Insert(days, i, rollDay{day: m.Day, sum: m.summary})
		}
	}
	i := 0
	for i < len(days) && days[i].day < from {
		i++
	}
	plain, err := encodeRollup(rollup{from: from, Range: th, days: days[i:]})
	if err != nil {
		return nil, err
	}
	return h.SealBytes(patientID, "device_rollups", "data_ct", rollupID, plain)
}

// rollupDays reads a roll-up's days from the chunks from day from on: each
// day's summary, or its readings summed against th where the summary is
// missing or counted against another range.
func rollupDays(h phi.Handle, patientID string, th Threshold, from string, window func(from string) ([]Chunk, error)) ([]rollDay, error) {
	cs, err := window(from)
	if err != nil {
		return nil, err
	}
	out := make([]rollDay, 0, len(cs))
	var d daySummary
	for _, c := range cs {
		var sum []byte
		if c.SummaryCT != nil {
			plain, err := h.OpenBytes(patientID, "device_chunks", "summary_ct", c.ID, c.SummaryCT)
			if err != nil {
				return nil, err
			}
			if err := decodeSummaryInto(&d, plain.Reveal()); err == nil && d.Range == th {
				if sum, err = encodeDay(&d); err != nil {
					return nil, err
				}
			}
		}
		if sum == nil {
			plain, err := h.OpenBytes(patientID, "device_chunks", "data_ct", c.ID, c.DataCT)
			if err != nil {
				return nil, err
			}
			rs, err := decodeChunk(plain.Reveal())
			if err != nil {
				return nil, fmt.Errorf("device chunk %s: %w", c.ID, err)
			}
			d = summarize(rs, th)
			if sum, err = encodeDay(&d); err != nil {
				return nil, err
			}
		}
		out = append(out, rollDay{day: c.Day, sum: sum})
	}
	return out, nil
}

// RollupKey is a roll-up to be built again, for the devices.summarize job.
type RollupKey struct {
	TenantID, PatientID, ID string
	Type                    Type
}

// BuildRollups builds up to limit roll-ups that are to be built again (the
// devices.summarize job, after Summarize: roll-ups from before roll-ups,
// and those dropped when a patient's target range changed), and returns
// how many it stored. Each patient's are built with one audited access by
// the system actor, from the day summaries (the chunks where a summary is
// missing or counted against another range). A roll-up a batch built
// meanwhile is left alone.
func (s *Service) BuildRollups(ctx context.Context, limit int) (int, error) {
	keys, err := s.d.Store.UnbuiltRollups(ctx, limit)
	if err != nil || len(keys) == 0 {
		return 0, err
	}
	return byPatient(keys, func(k RollupKey) (string, string) { return k.TenantID, k.PatientID },
		func(ks []RollupKey) (int, error) { return s.buildPatientRollups(ctx, ks) })
}

// buildPatientRollups builds one patient's roll-ups.
func (s *Service) buildPatientRollups(ctx context.Context, keys []RollupKey) (int, error) {
	tenantID, patientID := keys[0].TenantID, keys[0].PatientID
	ctx, h, th, err := s.jobAccess(ctx, tenantID, patientID, fmt.Sprintf("rollups=%d", len(keys)))
	if err != nil {
		return 0, err
	}
	now := s.d.Clock.Now().UTC()
	n := 0
	for _, k := range keys {
		ok, err := s.d.Store.BuildRollup(ctx, k, now, func(window func(from string) ([]Chunk, error)) ([]byte, error) {
			return updateRollup(h, patientID, k.ID, th.For(k.Type), now, nil, nil, window)
		})
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}
