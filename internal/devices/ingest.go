package devices

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Flag is how a reading stands against the patient's thresholds.
type Flag string

// The flags. Below and Above are outside the target range; AlertLow and
// AlertHigh past an alert threshold (the care team is told).
const (
	InRange   Flag = ""
	Below     Flag = "below"
	Above     Flag = "above"
	AlertLow  Flag = "alert_low"
	AlertHigh Flag = "alert_high"
)

// Alerting reports whether the flag raised an alert.
func (f Flag) Alerting() bool { return f == AlertLow || f == AlertHigh }

// Label is the flag's words.
func (f Flag) Label() string {
	switch f {
	case Below:
		return "Below range"
	case Above:
		return "Above range"
	case AlertLow:
		return "Alert: very low"
	case AlertHigh:
		return "Alert: very high"
	}
	return "In range"
}

// Reading is one stored reading.
type Reading struct {
	At time.Time
	// Value is the reading (systolic for blood pressure); Value2 the
	// diastolic, 0 for other types.
	Value, Value2 float64
	Flag          Flag
	// DeviceID is the device that sent it.
	DeviceID string
}

// stored is a reading inside a sealed chunk (see chunk.go).
type stored struct {
	T    int64
	V, W float64
	F    Flag
	D    string
}

// Chunk is a day of a patient's readings of one type, sealed.
type Chunk struct {
	ID       string
	Type     Type
	Day      string // "2006-01-02", UTC
	Readings int
	DataCT   []byte
	// SummaryCT is the day's sealed summary (daysum.go); nil for a chunk
	// stored before summaries, until the devices.summarize job writes it.
	SummaryCT []byte
}

// Merged is a day's chunk after a batch: its ciphertext, its summary's,
// its reading count and the alerts the new readings raised.
type Merged struct {
	DataCT, SummaryCT []byte
	Readings          int
	Alerts            []Alert
	// Day is the chunk's day; summary its summary's plaintext, for the
	// type's roll-up (rollup.go).
	Day     string
	summary []byte
}

// DayLayout is the layout of a chunk's day.
const DayLayout = "2006-01-02"

// IngestBatch is a checked batch for the store to keep in one transaction:
// the batch id is taken (a replay stores nothing), readings whose device
// sequence number is already stored are dropped, the rest grouped by (type,
// UTC day) and each day's chunk merged by Merge and upserted, the alerts
// Merge raised inserted, the device's last reading time moved.
type IngestBatch struct {
	TenantID, PatientID, DeviceID, BatchID string
	Now                                    time.Time
	Readings                               []Input
	// Merge gets a day's chunk (its id, and its ciphertext, nil for a new
	// day) and the day's new readings, and returns the chunk and its
	// summary sealed anew, and the alerts the new readings raise.
	Merge func(chunkID string, t Type, day string, existing []byte, add []Input) (Merged, error)
	// Rollup gets, for each type the batch merged days of, the type's
	// roll-up as stored (read under the same lock as the chunks) and those
	// days, and returns the roll-up to store in the same transaction (see
	// Rollup); nil keeps none.
	Rollup Rollup
}

// IngestResult is what a batch did.
type IngestResult struct {
	BatchID string `json:"batch_id"`
	// Stored readings are new; Duplicates had a sequence number already
	// stored.
	Stored     int `json:"stored"`
	Duplicates int `json:"duplicates"`
	// Alerts is how many readings were past an alert threshold.
	Alerts int `json:"alerts"`
	// Replayed is true when the batch id was already taken: nothing was
	// stored, Stored is what the first time stored.
	Replayed bool `json:"replayed,omitempty"`
	// AlertList are the alerts raised (for the emails), not sent to the device.
	AlertList []Alert `json:"-"`
}

// ErrReplayed is the Conflict of a batch id already received.
func ErrReplayed(stored int) error {
	return &apperr.Error{Code: apperr.Conflict, Message: "This batch was already received; nothing was stored again.",
		Fields: map[string]string{"batch_id": fmt.Sprintf("This batch id was already used (%d readings were stored then). Send new readings with a new batch id.", stored)}}
}

// Ingest checks and stores a batch a device sent: body is a JSON batch or
// FHIR Observations (see Parse), idemKey the Idempotency-Key header. The
// device is the one the token found (the API's guard), and its person is
// the actor in ctx. A replayed batch id is a Conflict that stores nothing.
func (s *Service) Ingest(ctx context.Context, dev Record, body []byte, idemKey string) (*IngestResult, error) {
	now := s.d.Clock.Now().UTC()
	b, err := Parse(body, idemKey, now)
	if err != nil {
		return nil, err
	}
	allowed := dev.Kind.Types()
	fields := map[string]string{}
	for _, in := range b.Readings {
		if !slices.Contains(allowed, in.Type) {
			fields[in.Where+"type"] = fmt.Sprintf("A %s does not send %s readings.", dev.Kind.Label(), in.Type)
		}
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields("Some readings are not right; nothing was stored.", fields)
	}
	// Why counted in the database and not in memory: replicas share it, and
	// a device cannot spread a flood over them.
	n, err := s.d.Store.RecentBatches(ctx, dev.ID, now.Add(-time.Minute))
	if err != nil {
		return nil, err
	}
	if n >= s.d.BatchesPerMinute {
		return nil, apperr.New(apperr.RateLimited, fmt.Sprintf("This device sent more than %d batches in a minute. Wait a minute, then send larger batches.", s.d.BatchesPerMinute))
	}
	dec, err := s.d.Grants.Authorize(ctx, dev.TenantID, dev.PatientID, access.DataDevices, access.Write)
	if err != nil {
		return nil, err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: dev.TenantID, Subjects: []string{dev.PatientID}, Action: access.Write,
		Purpose: dec.Purpose, Resource: "device_reading", ResourceID: dev.ID, AuditAction: "device_reading.write",
		Detail: fmt.Sprintf("readings=%d", len(b.Readings))})
	if err != nil {
		return nil, err
	}
	th, err := s.thresholds(ctx, h, dev.TenantID, dev.PatientID)
	if err != nil {
		return nil, err
	}
	merge := func(chunkID string, t Type, day string, existing []byte, add []Input) (Merged, error) {
		var rs []stored
		if existing != nil {
			plain, err := h.OpenBytes(dev.PatientID, "device_chunks", "data_ct", chunkID, existing)
			if err != nil {
				return Merged{}, err
			}
			if rs, err = decodeChunk(plain.Reveal()); err != nil {
				return Merged{}, fmt.Errorf("device chunk %s: %w", chunkID, err)
			}
		}
		var alerts []Alert
		for _, in := range add {
			f := th.For(t).Flag(in.Value)
			rs = append(rs, stored{T: in.At.Unix(), V: in.Value, W: in.Value2, F: f, D: dev.ID})
			if f.Alerting() {
				alerts = append(alerts, Alert{ID: id.NewAt(now), TenantID: dev.TenantID, PatientID: dev.PatientID, Type: t,
					MeasuredAt: in.At, CreatedAt: now})
			}
		}
		slices.SortStableFunc(rs, func(a, b stored) int { return int(a.T - b.T) })
		m := Merged{Readings: len(rs), Alerts: alerts, Day: day}
		var err error
		if m.DataCT, m.SummaryCT, m.summary, err = sealDay(h, dev.PatientID, chunkID, rs, th.For(t)); err != nil {
			return Merged{}, err
		}
		return m, nil
	}
	rollup := func(rollupID string, t Type, existing []byte, merged []Merged, window func(string) ([]Chunk, error)) ([]byte, error) {
		return updateRollup(h, dev.PatientID, rollupID, th.For(t), now, existing, merged, window)
	}
	res, err := s.d.Store.Ingest(ctx, IngestBatch{TenantID: dev.TenantID, PatientID: dev.PatientID, DeviceID: dev.ID, BatchID: b.ID,
		Now: now, Readings: b.Readings, Merge: merge, Rollup: rollup})
	if err != nil {
		return nil, err
	}
	if res.Replayed {
		return nil, ErrReplayed(res.Stored)
	}
	res.BatchID = b.ID
	res.Alerts = len(res.AlertList)
	if res.Alerts > 0 {
		s.alertCareTeam(ctx, dev.TenantID, dev.PatientID)
	}
	return &res, nil
}

// alertCareTeam emails the patient's care team that a device alert waits:
// the brand and a link to the staff alert list, no name and no value (no
// PHI in email). A failure is logged with ids only: the alert is stored and
// listed either way.
func (s *Service) alertCareTeam(ctx context.Context, tenantID, patientID string) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.d.Outbox == nil || s.d.CareTeam == nil || s.d.Contacts == nil || s.d.Links == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	team, err := s.d.CareTeam(ctx, tenantID, patientID)
	if err != nil {
		s.d.Log.WarnContext(ctx, "device alert: care team not found", "err", err)
		return
	}
	brand, base := s.d.Links(ctx, tenantID)
	for _, clinician := range team {
		to, err := s.d.Contacts(ctx, tenantID, clinician)
		if err == nil {
			var m notify.Message
			if m, err = notify.Compose(notify.DeviceAlert, to, notify.Params{Brand: brand, Link: base + "/staff/device-alerts"}); err == nil {
				err = s.d.Outbox.Enqueue(ctx, tenantID, clinician, notify.DeviceAlert, m)
			}
		}
		if err != nil {
			s.d.Log.WarnContext(ctx, "device alert email not queued", "clinician", clinician, "err", err)
		}
	}
}
