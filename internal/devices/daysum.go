package devices

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/phi"
)

// A day summary is sealed beside each day chunk (device_chunks.summary_ct)
// and written in the same transaction as the chunk. Why: the week, month
// and quarter charts need only hourly sums, the day's time in range, its
// alerting readings and its newest reading; opening 90 minute-level chunks
// (1.8 MB of ciphertext, 130,000 readings) per chart was the page's whole
// cost. A summary is a few hundred bytes. The day chart and the CSV still
// open the chunks.
//
//	byte 0        version (1)
//	4 × 8         the threshold Below/In/Above were counted against
//	3 × 4         below, in, above
//	4             bitmask of the hours that have readings
//	h × 32        per such hour: count u32, sum f64, sum2 f64, min f32, max f32
//	14 + 36       the newest reading (time, values, flag, 0) and its device id
//	4 + f × 13    the alerting readings, oldest first (time, values, flag)
//
// Little-endian throughout.
const (
	summaryVersion = 1
	hourLen        = 4 + 8 + 8 + 4 + 4
	flaggedLen     = 4 + 4 + 4 + 1
)

// hourStat is an hour's readings of a day, summed. Sum and Sum2 count
// tenths (whole numbers: a reading carries one decimal), so sums of hours
// and of readings agree to the last digit whatever their order (tenths).
type hourStat struct {
	N         int
	Sum, Sum2 float64
	Min, Max  float64
}

// tenths is a value in whole tenths.
func tenths(v float64) float64 { return math.Round(v * 10) }

// mean is the average of n values summing to sum tenths: the one formula
// the summaries and the readings both use.
func mean(sum float64, n int) float64 { return sum / float64(n) / 10 }

// daySummary is what a day summary holds (see above).
type daySummary struct {
	Range            Threshold
	Below, In, Above int
	Hours            [24]hourStat
	Last             stored
	Flagged          []stored
	// hasLast is set when Last is the day's newest reading even though no
	// reading was summed (a period's first day before the period starts).
	hasLast bool
}

// count is the number of readings summed.
func (d *daySummary) count() int {
	n := 0
	for _, h := range d.Hours {
		n += h.N
	}
	return n
}

// summarize sums a day's readings (sorted by time, all of one UTC day),
// counting time in range against th. Values are taken as a chunk stores
// them (float32, one decimal), so a summary agrees with its chunk.
func summarize(rs []stored, th Threshold) daySummary {
	d := daySummary{Range: th}
	for _, r := range rs {
		v, w := round1(float64(float32(r.V))), round1(float64(float32(r.W)))
		h := &d.Hours[time.Unix(r.T, 0).UTC().Hour()]
		if h.N == 0 || v < h.Min {
			h.Min = v
		}
		if h.N == 0 || v > h.Max {
			h.Max = v
		}
		h.N++
		h.Sum += tenths(v)
		h.Sum2 += tenths(w)
		if th.HasRange() {
			switch th.Flag(v) {
			case Below, AlertLow:
				d.Below++
			case Above, AlertHigh:
				d.Above++
			default:
				d.In++
			}
		}
		if r.F.Alerting() {
			d.Flagged = append(d.Flagged, stored{T: r.T, V: v, W: w, F: r.F})
		}
		d.Last = stored{T: r.T, V: v, W: w, F: r.F, D: r.D}
	}
	return d
}

// encodeSummary writes a day summary's plaintext.
func encodeSummary(d daySummary) ([]byte, error) {
	if d.Last.D != "" && len(d.Last.D) != idLen {
		return nil, errors.New("device summary: a bad device id")
	}
	out := make([]byte, 0, 1+32+12+4+24*hourLen+50+4+len(d.Flagged)*flaggedLen)
	out = append(out, summaryVersion)
	for _, f := range []float64{d.Range.Low, d.Range.High, d.Range.AlertLow, d.Range.AlertHigh} {
		out = binary.LittleEndian.AppendUint64(out, math.Float64bits(f))
	}
	for _, n := range []int{d.Below, d.In, d.Above} {
		out = binary.LittleEndian.AppendUint32(out, uint32(n)) //nolint:gosec // a day's count, far below 2^32
	}
	var mask uint32
	for i, h := range d.Hours {
		if h.N > 0 {
			mask |= 1 << i
		}
	}
	out = binary.LittleEndian.AppendUint32(out, mask)
	for _, h := range d.Hours {
		if h.N == 0 {
			continue
		}
		out = binary.LittleEndian.AppendUint32(out, uint32(h.N)) //nolint:gosec // an hour's count, far below 2^32
		out = binary.LittleEndian.AppendUint64(out, math.Float64bits(h.Sum))
		out = binary.LittleEndian.AppendUint64(out, math.Float64bits(h.Sum2))
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(float32(h.Min)))
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(float32(h.Max)))
	}
	out = appendStored(out, d.Last)
	out = append(out, 0)
	dev := d.Last.D
	if dev == "" {
		dev = string(make([]byte, idLen))
	}
	out = append(out, dev...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(d.Flagged))) //nolint:gosec // a day's count, far below 2^32
	for _, f := range d.Flagged {
		out = appendStored(out, f)
	}
	return out, nil
}

// appendStored writes a reading's time, values and flag (13 bytes).
func appendStored(out []byte, r stored) []byte {
	out = binary.LittleEndian.AppendUint32(out, uint32(r.T)) //nolint:gosec // a reading's time is within two years of now (Parse), far from 2106
	out = binary.LittleEndian.AppendUint32(out, math.Float32bits(float32(r.V)))
	out = binary.LittleEndian.AppendUint32(out, math.Float32bits(float32(r.W)))
	return append(out, flagCode(r.F))
}

// readStored reads what appendStored wrote.
func readStored(b []byte) (stored, bool) {
	f := int(b[12])
	if f >= len(flagCodes) {
		return stored{}, false
	}
	return stored{T: int64(binary.LittleEndian.Uint32(b)),
		V: round1(float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4:])))),
		W: round1(float64(math.Float32frombits(binary.LittleEndian.Uint32(b[8:])))),
		F: flagCodes[f]}, true
}

// errBadSummary is a malformed day summary.
var errBadSummary = errors.New("device summary: malformed")

// decodeSummaryInto reads a day summary's plaintext into d, reusing its
// flagged readings' space (the chart reads 90 in a row).
func decodeSummaryInto(d *daySummary, b []byte) error {
	flagged := d.Flagged[:0]
	*d = daySummary{}
	bad := errBadSummary
	if len(b) < 1+32+12+4 || b[0] != summaryVersion {
		return bad
	}
	b = b[1:]
	f := func(i int) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:])) }
	d.Range = Threshold{Low: f(0), High: f(1), AlertLow: f(2), AlertHigh: f(3)}
	b = b[32:]
	d.Below, d.In, d.Above = int(binary.LittleEndian.Uint32(b)), int(binary.LittleEndian.Uint32(b[4:])), int(binary.LittleEndian.Uint32(b[8:]))
	mask := binary.LittleEndian.Uint32(b[12:])
	b = b[16:]
	if len(b) < bits.OnesCount32(mask)*hourLen+flaggedLen+1+idLen+4 {
		return bad
	}
	for i := range d.Hours {
		if mask&(1<<i) == 0 {
			continue
		}
		d.Hours[i] = hourStat{N: int(binary.LittleEndian.Uint32(b)),
			Sum:  math.Float64frombits(binary.LittleEndian.Uint64(b[4:])),
			Sum2: math.Float64frombits(binary.LittleEndian.Uint64(b[12:])),
			Min:  round1(float64(math.Float32frombits(binary.LittleEndian.Uint32(b[20:])))),
			Max:  round1(float64(math.Float32frombits(binary.LittleEndian.Uint32(b[24:]))))}
		b = b[hourLen:]
	}
	last, ok := readStored(b)
	if !ok {
		return bad
	}
	last.D = string(b[flaggedLen+1 : flaggedLen+1+idLen])
	d.Last = last
	b = b[flaggedLen+1+idLen:]
	n := int(binary.LittleEndian.Uint32(b))
	b = b[4:]
	if len(b) != n*flaggedLen {
		return bad
	}
	for i := range n {
		f, ok := readStored(b[i*flaggedLen:])
		if !ok {
			return bad
		}
		flagged = append(flagged, f)
	}
	d.Flagged = flagged
	return nil
}

// sealDay seals a day's readings (sorted by time) as its chunk and its
// summary, counted against th (the type's current threshold); day is the
// summary as the roll-up holds it (rollup.go).
func sealDay(h phi.Handle, patientID, chunkID string, rs []stored, th Threshold) (data, summary, day []byte, err error) {
	plain, err := encodeChunk(rs)
	if err != nil {
		return nil, nil, nil, err
	}
	if data, err = h.SealBytes(patientID, "device_chunks", "data_ct", chunkID, plain); err != nil {
		return nil, nil, nil, err
	}
	d := summarize(rs, th)
	sp, err := encodeSummary(d)
	if err != nil {
		return nil, nil, nil, err
	}
	if summary, err = h.SealBytes(patientID, "device_chunks", "summary_ct", chunkID, sp); err != nil {
		return nil, nil, nil, err
	}
	if day, err = encodeDay(&d); err != nil {
		return nil, nil, nil, err
	}
	return data, summary, day, nil
}

// Unsummarized is a chunk whose summary is missing (stored before
// summaries, or dropped when its patient's thresholds changed), for the
// devices.summarize job.
type Unsummarized struct {
	Chunk
	TenantID, PatientID string
	// UpdatedAt is when the chunk was last written: the job's summary is
	// stored only if the chunk is still as it read it.
	UpdatedAt time.Time
}

// SummarizeJob is the devices.summarize job's actor id.
const SummarizeJob = "job:devices.summarize"

// Summarize seals the summaries of up to limit chunks that have none (the
// devices.summarize job), and returns how many it stored. Each patient's
// chunks are opened with one audited access by the system actor. A chunk
// written meanwhile by a batch is left alone: the batch sealed its summary.
func (s *Service) Summarize(ctx context.Context, limit int) (int, error) {
	pending, err := s.d.Store.Unsummarized(ctx, limit)
	if err != nil || len(pending) == 0 {
		return 0, err
	}
	return byPatient(pending, func(u Unsummarized) (string, string) { return u.TenantID, u.PatientID },
		func(cs []Unsummarized) (int, error) { return s.summarizePatient(ctx, cs) })
}

// byPatient calls do with each run of items of one tenant's patient (the
// store gives them ordered by tenant and patient) and returns the sum of
// what the calls stored, up to the first error.
func byPatient[T any](items []T, key func(T) (tenantID, patientID string), do func([]T) (int, error)) (int, error) {
	n := 0
	for i := 0; i < len(items); {
		t, p := key(items[i])
		j := i + 1
		for j < len(items) {
			if tj, pj := key(items[j]); tj != t || pj != p {
				break
			}
			j++
		}
		done, err := do(items[i:j])
		n += done
		if err != nil {
			return n, err
		}
		i = j
	}
	return n, nil
}

// jobAccess opens one patient's device readings for the devices.summarize
// job, with one audited access (action device_reading.summarize, detail
// saying what it builds), and reads their thresholds. Why the system actor
// and not a person: no one asked; the job keeps a derived copy of readings
// already stored under the same key, and its access is audited as the
// job's.
func (s *Service) jobAccess(ctx context.Context, tenantID, patientID, detail string) (context.Context, phi.Handle, Thresholds, error) {
	ctx = access.WithActor(ctx, access.Actor{ID: SummarizeJob, Role: access.RoleSystem, TenantID: tenantID})
	dec, err := s.d.Grants.Authorize(ctx, tenantID, patientID, access.DataDevices, access.Write)
	if err != nil {
		return ctx, nil, Thresholds{}, err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: access.Write,
		Purpose: dec.Purpose, Resource: "device_reading", AuditAction: "device_reading.summarize", Detail: detail})
	if err != nil {
		return ctx, nil, Thresholds{}, err
	}
	th, err := s.thresholds(ctx, h, tenantID, patientID)
	return ctx, h, th, err
}

// summarizePatient seals the summaries of one patient's chunks.
func (s *Service) summarizePatient(ctx context.Context, cs []Unsummarized) (int, error) {
	tenantID, patientID := cs[0].TenantID, cs[0].PatientID
	ctx, h, th, err := s.jobAccess(ctx, tenantID, patientID, fmt.Sprintf("chunks=%d", len(cs)))
	if err != nil {
		return 0, err
	}
	now := s.d.Clock.Now().UTC()
	n := 0
	for _, c := range cs {
		plain, err := h.OpenBytes(patientID, "device_chunks", "data_ct", c.ID, c.DataCT)
		if err != nil {
			return n, err
		}
		rs, err := decodeChunk(plain.Reveal())
		if err != nil {
			return n, fmt.Errorf("device chunk %s: %w", c.ID, err)
		}
		sp, err := encodeSummary(summarize(rs, th.For(c.Type)))
		if err != nil {
			return n, err
		}
		ct, err := h.SealBytes(patientID, "device_chunks", "summary_ct", c.ID, sp)
		if err != nil {
			return n, err
		}
		ok, err := s.d.Store.SetSummary(ctx, c.ID, ct, c.UpdatedAt, now)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}
