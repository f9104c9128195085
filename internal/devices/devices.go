// Package devices is a patient's measuring devices (glucose meters, blood
// pressure cuffs, scales, pulse oximeters, activity trackers) and their
// readings: registration, pairing (a short-lived code the device's app
// exchanges for a device token), ingestion through the API (a JSON batch or
// FHIR R4 Observations), the series the charts show, and the thresholds a
// clinician sets with the alerts they raise.
//
// Readings are PHI, sealed by the vault under the patient, one chunk per
// (patient, reading type, UTC day): a year of minute-level readings stays
// a few hundred rows per type, and a chart opens its days with one audited
// access. What the store sees in the clear carries no value: which device
// sent which sequence number and batch id (dedup and idempotency), how many
// readings a day holds, and that an alert was raised.
package devices

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Kind is what a device is.
type Kind string

// The kinds of device.
const (
	GlucoseMeter    Kind = "glucose_meter"
	BloodPressure   Kind = "blood_pressure"
	WeightScale     Kind = "weight_scale"
	PulseOximeter   Kind = "pulse_oximeter"
	ActivityTracker Kind = "activity_tracker"
)

// Kinds lists every kind, in the order the registration form offers them.
var Kinds = []Kind{GlucoseMeter, BloodPressure, WeightScale, PulseOximeter, ActivityTracker}

// Label is the kind's name for people.
func (k Kind) Label() string {
	switch k {
	case GlucoseMeter:
		return "Glucose meter"
	case BloodPressure:
		return "Blood pressure monitor"
	case WeightScale:
		return "Weight scale"
	case PulseOximeter:
		return "Pulse oximeter"
	case ActivityTracker:
		return "Activity tracker"
	}
	return string(k)
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Types are the reading types a kind of device may send.
func (k Kind) Types() []Type {
	switch k {
	case GlucoseMeter:
		return []Type{Glucose}
	case BloodPressure:
		return []Type{BP, HeartRate}
	case WeightScale:
		return []Type{Weight}
	case PulseOximeter:
		return []Type{SpO2, HeartRate}
	case ActivityTracker:
		return []Type{Steps, HeartRate}
	}
	return nil
}

// Lifetimes and limits.
const (
	// PairingTTL is how long a pairing code works.
	PairingTTL = 10 * time.Minute
	// MaxDevices is the most devices one patient registers.
	MaxDevices = 20
	// MaxPairFailures is how many wrong pairing codes a client may send in
	// PairWindow before it must wait for the window to pass.
	MaxPairFailures = 10
	// PairWindow is the throttling window of pairing.
	PairWindow = 15 * time.Minute
	// DefaultBatchesPerMinute is the default per-device rate limit.
	DefaultBatchesPerMinute = 120
)

// TokenPrefix starts every device token (so a leaked one is recognisable
// by secret scanners).
const TokenPrefix = "sdt_"

// Details is the sealed part of a device.
type Details struct {
	Model string `json:"model"`
	// OrderRef is the order the device came from, as the patient gave it.
	OrderRef string `json:"order,omitempty"`
	// Bluetooth is the id the patient's browser gives the meter through Web
	// Bluetooth (random per site and browser profile), for a device the
	// devices page connected (issue 22); sealed with the rest.
	Bluetooth string `json:"ble,omitempty"`
}

// Record is a device as the PHI store keeps it.
type Record struct {
	ID, TenantID, PatientID string
	Kind                    Kind
	DetailsCT               []byte
	// PairCodeHash and PairExpiresAt are the pending pairing code's.
	PairCodeHash  []byte
	PairExpiresAt time.Time
	// TokenHash is the device token's hash; nil once revoked.
	TokenHash                                  []byte
	CreatedAt, PairedAt, RevokedAt, LastReadAt time.Time
}

// Device is a device opened for someone allowed to see it.
type Device struct {
	ID, PatientID string
	Kind          Kind
	Details
	CreatedAt, PairedAt, RevokedAt, LastReadAt time.Time
	// Pending is true while a pairing code waits to be used.
	Pending bool
}

// Status is the device's state in words.
func (d *Device) Status() string {
	switch {
	case !d.RevokedAt.IsZero():
		return "Revoked"
	case !d.PairedAt.IsZero():
		return "Paired"
	case d.Pending:
		return "Waiting for pairing"
	}
	return "Not paired"
}

// Active reports whether the device may post readings.
func (d *Device) Active() bool { return !d.PairedAt.IsZero() && d.RevokedAt.IsZero() }

// Store keeps devices, readings, thresholds and alerts (internal/store.Devices).
type Store interface {
	// Insert stores a new device, refusing past limit devices (Conflict).
	Insert(ctx context.Context, r Record, limit int) error
	// ByID returns a device of a tenant, or NotFound.
	ByID(ctx context.Context, tenantID, deviceID string) (Record, error)
	// ByPatient returns a patient's devices, newest first.
	ByPatient(ctx context.Context, tenantID, patientID string) ([]Record, error)
	// SetPairCode sets a device's pending pairing code (NotFound when it is
	// revoked).
	SetPairCode(ctx context.Context, tenantID, deviceID string, hash []byte, expires time.Time) error
	// Pair spends a pairing code: it must exist in the tenant and be
	// unexpired; the device gets the token hash and loses the code, at once
	// (a code works once however many requests race). NotFound otherwise.
	Pair(ctx context.Context, tenantID string, codeHash, tokenHash []byte, now time.Time) (Record, error)
	// ByToken returns the unrevoked device of a token hash, or NotFound.
	ByToken(ctx context.Context, tokenHash []byte) (Record, error)
	// Revoke drops a device's token and code; NotFound when it is not the
	// patient's.
	Revoke(ctx context.Context, tenantID, patientID, deviceID string, now time.Time) error
	// LastSeq returns the highest sequence number stored from a device, and
	// false when none is.
	LastSeq(ctx context.Context, deviceID string) (int64, bool, error)
	// RecentBatches counts a device's batches received since a time.
	RecentBatches(ctx context.Context, deviceID string, since time.Time) (int, error)
	// Ingest stores a batch in one transaction; see IngestBatch.
	Ingest(ctx context.Context, b IngestBatch) (IngestResult, error)
	// Chunks returns a patient's chunks of a type from day from to day to
	// (inclusive, "2006-01-02"), oldest first.
	Chunks(ctx context.Context, tenantID, patientID string, t Type, from, to string) ([]Chunk, error)
	// DaySummaries calls each with the patient's sealed thresholds, if set
	// (first, with an empty Type; its ciphertext in DataCT), then with the
	// patient's chunks of a type from day from to day to (inclusive), oldest
	// first, each with its sealed summary; the minute-level ciphertext only
	// of day whole, and of a chunk without a summary. The chunk's bytes are
	// valid only during the call. An error from each stops it.
	DaySummaries(ctx context.Context, tenantID, patientID string, t Type, from, to, whole string, each func(Chunk) error) error
	// Chart calls each with the patient's sealed thresholds, if set (first,
	// with an empty Type; ciphertext in DataCT), then the chunk of day whole
	// if there is one (its readings in DataCT), then the type's roll-up if
	// there is one (an empty Day; ciphertext in SummaryCT, nil when it is
	// to be built again): one statement. The bytes are valid only during
	// the call. An error from each stops it.
	Chart(ctx context.Context, tenantID, patientID string, t Type, whole string, each func(Chunk) error) error
	// UnbuiltRollups returns up to limit roll-ups to be built again,
	// grouped by patient.
	UnbuiltRollups(ctx context.Context, limit int) ([]RollupKey, error)
	// BuildRollup stores the roll-up build returns from the type's chunks
	// if it is still to be built, in one transaction under the patient's
	// lock, and reports whether it did.
	BuildRollup(ctx context.Context, k RollupKey, now time.Time, build func(window func(from string) ([]Chunk, error)) ([]byte, error)) (bool, error)
	// Unsummarized returns up to limit chunks without a summary, grouped
	// by patient.
	Unsummarized(ctx context.Context, limit int) ([]Unsummarized, error)
	// SetSummary stores a chunk's summary if the chunk was not written
	// since was, and reports whether it did.
	SetSummary(ctx context.Context, chunkID string, summaryCT []byte, was, now time.Time) (bool, error)
	// Latest returns each type's newest chunk of a patient.
	Latest(ctx context.Context, tenantID, patientID string) ([]Chunk, error)
	// Summary counts a patient's readings per type, with each type's last day.
	Summary(ctx context.Context, tenantID, patientID string) ([]TypeSummary, error)
	// Thresholds returns a patient's sealed thresholds, or NotFound.
	Thresholds(ctx context.Context, tenantID, patientID string) (ThresholdRecord, error)
	// SetThresholds stores them and drops the patient's day summaries
	// (they counted time in range against the old range), at once.
	SetThresholds(ctx context.Context, r ThresholdRecord) error
	// OpenAlerts returns a tenant's unresolved alerts, oldest first.
	OpenAlerts(ctx context.Context, tenantID string, limit int) ([]Alert, error)
	// PatientAlerts returns a patient's alerts, newest first.
	PatientAlerts(ctx context.Context, tenantID, patientID string, limit int) ([]Alert, error)
	// ResolveAlert marks a patient's alert resolved; NotFound when it is
	// not theirs or not open.
	ResolveAlert(ctx context.Context, tenantID, patientID, alertID, by string, now time.Time) error
}

// Authorizer decides access to a patient's data (grants.Service.Authorize).
type Authorizer interface {
	Authorize(ctx context.Context, tenantID, patientID string, class access.DataClass, act access.Action) (access.Decision, error)
}

// Throttles keeps failure counts of throttling keys (internal/store.Throttles).
type Throttles interface {
	PairFailures(ctx context.Context, key string, since time.Time) (int, error)
	// AddPairFailure counts a failure; the count starts again when the
	// last failure was before since.
	AddPairFailure(ctx context.Context, tenantID, key string, now, since time.Time) error
}

// Enqueuer queues an email (internal/outbox).
type Enqueuer interface {
	Enqueue(ctx context.Context, tenantID, subjectID string, kind notify.Kind, m notify.Message) error
}

// Deps are what the service is built on.
type Deps struct {
	Store  Store
	Grants Authorizer
	Vault  phi.Vault
	// Throttle counts failed pairing attempts by a keyed hash of the
	// client's address (Index); either nil keeps no count.
	Throttle Throttles
	Index    phi.Indexer
	// Outbox, CareTeam, Contacts and Links send the alert emails; any nil
	// sends none (the staff page shows alerts either way).
	Outbox Enqueuer
	// CareTeam lists the clinicians with a care relationship to a patient.
	CareTeam func(ctx context.Context, tenantID, patientID string) ([]string, error)
	Contacts func(ctx context.Context, tenantID, userID string) (string, error)
	Links    func(ctx context.Context, tenantID string) (brand, baseURL string)
	// AlertAdvice is the tenant's text telling a patient what to do about an
	// alert; empty uses DefaultAdvice.
	AlertAdvice func(ctx context.Context, tenantID string) string
	// BatchesPerMinute is the per-device rate limit; 0 for the default.
	BatchesPerMinute int
	Clock            clock.Clock
	Log              *slog.Logger
}

// Service registers, pairs and revokes devices, takes their readings and
// shows them.
type Service struct {
	d Deps
}

// New returns the service.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.BatchesPerMinute <= 0 {
		d.BatchesPerMinute = DefaultBatchesPerMinute
	}
	return &Service{d: d}
}

// Registration is what a patient types to register a device.
type Registration struct {
	Kind     Kind
	Model    string
	OrderRef string
	// Bluetooth is the browser's id of a meter the page connects.
	Bluetooth string
}

// Register adds a device for a patient (the patient or their proxy with the
// devices scope) and returns it with its first pairing code.
func (s *Service) Register(ctx context.Context, tenantID, patientID string, reg Registration) (*Device, string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	fields := map[string]string{}
	reg.Model, reg.OrderRef = strings.TrimSpace(reg.Model), strings.TrimSpace(reg.OrderRef)
	if !reg.Kind.Valid() {
		fields["kind"] = "Choose what kind of device it is."
	}
	switch {
	case reg.Model == "":
		fields["model"] = "Enter the model, as printed on the device or its box."
	case utf8.RuneCountInString(reg.Model) > 80 || strings.ContainsAny(reg.Model, "\r\n\x00"):
		fields["model"] = "Enter at most 80 characters on one line."
	}
	if utf8.RuneCountInString(reg.OrderRef) > 40 || strings.ContainsAny(reg.OrderRef, "\r\n\x00") {
		fields["order"] = "Enter at most 40 characters on one line."
	}
	if len(fields) > 0 {
		return nil, "", apperr.InvalidFields("Check the device details.", fields)
	}
	dec, err := s.d.Grants.Authorize(ctx, tenantID, patientID, access.DataDevices, access.Write)
	if err != nil {
		return nil, "", err
	}
	now := s.d.Clock.Now().UTC()
	r := Record{ID: id.NewAt(now), TenantID: tenantID, PatientID: patientID, Kind: reg.Kind, CreatedAt: now}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: access.Write,
		Purpose: dec.Purpose, Resource: "device", ResourceID: r.ID, AuditAction: "device.create"})
	if err != nil {
		return nil, "", err
	}
	body, err := json.Marshal(Details{Model: reg.Model, OrderRef: reg.OrderRef, Bluetooth: reg.Bluetooth})
	if err != nil {
		return nil, "", fmt.Errorf("device: %w", err)
	}
	if r.DetailsCT, err = h.SealBytes(patientID, "devices", "details_ct", r.ID, body); err != nil {
		return nil, "", err
	}
	code := newCode()
	r.PairCodeHash, r.PairExpiresAt = hashCode(tenantID, code), now.Add(PairingTTL)
	if err := s.d.Store.Insert(ctx, r, MaxDevices); err != nil {
		return nil, "", err
	}
	dev := &Device{ID: r.ID, PatientID: patientID, Kind: r.Kind, Details: Details{Model: reg.Model, OrderRef: reg.OrderRef, Bluetooth: reg.Bluetooth},
		CreatedAt: now, Pending: true}
	return dev, code, nil
}

// NewCode issues a fresh pairing code for a device that is not revoked (the
// old one stops working).
func (s *Service) NewCode(ctx context.Context, tenantID, patientID, deviceID string) (string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	r, err := s.d.Store.ByID(ctx, tenantID, deviceID)
	if err != nil {
		return "", err
	}
	if r.PatientID != patientID {
		return "", apperr.NotFoundError()
	}
	if _, err := s.d.Grants.Authorize(ctx, tenantID, patientID, access.DataDevices, access.Write); err != nil {
		return "", err
	}
	code := newCode()
	if err := s.d.Store.SetPairCode(ctx, tenantID, deviceID, hashCode(tenantID, code), s.d.Clock.Now().UTC().Add(PairingTTL)); err != nil {
		return "", err
	}
	return code, nil
}

// List opens a patient's devices for the actor in ctx.
func (s *Service) List(ctx context.Context, tenantID, patientID string) ([]*Device, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	dec, err := s.d.Grants.Authorize(ctx, tenantID, patientID, access.DataDevices, access.Read)
	if err != nil {
		return nil, err
	}
	recs, err := s.d.Store.ByPatient(ctx, tenantID, patientID)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: access.Read,
		Purpose: dec.Purpose, Resource: "device", AuditAction: "device.list", Detail: fmt.Sprintf("rows=%d", len(recs))})
	if err != nil {
		return nil, err
	}
	now := s.d.Clock.Now()
	out := make([]*Device, 0, len(recs))
	for _, r := range recs {
		body, err := h.OpenBytes(patientID, "devices", "details_ct", r.ID, r.DetailsCT)
		if err != nil {
			return nil, err
		}
		d := &Device{ID: r.ID, PatientID: r.PatientID, Kind: r.Kind, CreatedAt: r.CreatedAt, PairedAt: r.PairedAt,
			RevokedAt: r.RevokedAt, LastReadAt: r.LastReadAt, Pending: len(r.PairCodeHash) > 0 && now.Before(r.PairExpiresAt)}
		if err := phi.DecodeJSON(body.Reveal(), &d.Details); err != nil {
			return nil, fmt.Errorf("device %s: %w", r.ID, err)
		}
		out = append(out, d)
	}
	return out, nil
}

// Revoke stops a device's token at once: the next request with it is
// refused (the token is looked up on every request; nothing caches it).
func (s *Service) Revoke(ctx context.Context, tenantID, patientID, deviceID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := s.d.Grants.Authorize(ctx, tenantID, patientID, access.DataDevices, access.Write); err != nil {
		return err
	}
	return s.d.Store.Revoke(ctx, tenantID, patientID, deviceID, s.d.Clock.Now().UTC())
}

// Paired is the answer to a pairing: the token, shown this once.
type Paired struct {
	DeviceID string `json:"device_id"`
	Kind     Kind   `json:"kind"`
	Token    string `json:"token"`
	// Types are the reading types the device may post.
	Types []Type `json:"types"`
}

// Pair exchanges a pairing code for a device token. After MaxPairFailures
// wrong codes in PairWindow from the client's address it must wait (the
// address is kept as a keyed hash, never itself). Why throttled: the code
// is short enough to type, so guessing must stay hopeless.
func (s *Service) Pair(ctx context.Context, tenantID, clientIP, code string) (*Paired, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	now := s.d.Clock.Now().UTC()
	th := s.d.Throttle
	if s.d.Index == nil {
		th = nil
	}
	var key string
	if th != nil {
		key = "device-pair:" + hex.EncodeToString(s.d.Index.BlindIndex(tenantID, "client-ip", clientIP))
		n, err := th.PairFailures(ctx, key, now.Add(-PairWindow))
		if err != nil {
			return nil, err
		}
		if n >= MaxPairFailures {
			return nil, apperr.New(apperr.RateLimited, "Too many wrong pairing codes. Wait 15 minutes, then try again.")
		}
	}
	code = NormalizeCode(code)
	if len(code) != codeLen {
		return nil, apperr.InvalidFields("Check the pairing code.", map[string]string{"code": "Enter the 8-character code shown on the Devices page."})
	}
	token := TokenPrefix + randomString(32)
	r, err := s.d.Store.Pair(ctx, tenantID, hashCode(tenantID, code), HashToken(token), now)
	if apperr.Is(err, apperr.NotFound) {
		if th != nil {
			if terr := th.AddPairFailure(ctx, tenantID, key, now, now.Add(-PairWindow)); terr != nil {
				return nil, terr
			}
		}
		return nil, apperr.InvalidFields("This pairing code does not work.",
			map[string]string{"code": "The code is wrong, was already used, or is older than 10 minutes. Get a new one on the Devices page."})
	}
	if err != nil {
		return nil, err
	}
	return &Paired{DeviceID: r.ID, Kind: r.Kind, Token: token, Types: r.Kind.Types()}, nil
}

// Authenticate finds the active device of a token, or NotFound. Every
// device request calls it: a revoked token fails on the next request.
func (s *Service) Authenticate(ctx context.Context, token string) (Record, error) {
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 128 {
		return Record{}, apperr.NotFoundError()
	}
	return s.d.Store.ByToken(ctx, HashToken(token))
}

// HashToken is what the store keeps of a device token. Why a plain SHA-256
// and not a slow hash: the token is 256 random bits, so nothing is gained
// by stretching, and the lookup runs on every ingestion request.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte("salve-device-token\x00" + token))
	return h[:]
}

// codeAlphabet is Crockford's base 32 without the letters people confuse
// (no I, L, O, U).
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

const codeLen = 8

// newCode returns a random 8-character code (40 bits).
func newCode() string {
	b := make([]byte, codeLen)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

// FormatCode shows a code in two groups of four, easier to type.
func FormatCode(code string) string {
	if len(code) != codeLen {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// NormalizeCode takes a typed code: case, spaces and dashes do not matter,
// and the letters people confuse read as the digits they look like.
func NormalizeCode(code string) string {
	var b strings.Builder
	for _, c := range strings.ToUpper(code) {
		switch c {
		case ' ', '-':
			continue
		case 'O':
			c = '0'
		case 'I', 'L':
			c = '1'
		}
		if !strings.ContainsRune(codeAlphabet, c) {
			return ""
		}
		b.WriteRune(c)
	}
	return b.String()
}

// hashCode is what the store keeps of a pairing code, bound to its tenant.
func hashCode(tenantID, code string) []byte {
	h := sha256.Sum256([]byte("salve-device-pair\x00" + tenantID + "\x00" + code))
	return h[:]
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
