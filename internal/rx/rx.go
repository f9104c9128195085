// Package rx is prescriptions: what a patient uploads (a photo or a PDF of
// the paper) or asks the pharmacy to get from a prescriber, what a
// pharmacist verifies or rejects, and the fills that orders of prescription
// products use. A prescription is PHI: its details and its image are sealed
// by the vault under the patient, every view and change is audited, and
// access is decided by grants.Authorize with the rx data class (the patient,
// their proxy with the rx scope, pharmacists and clinicians of the tenant).
//
// The service is built on what it declares here: its Store (internal/store.Rx
// in the PHI store), the vault (phi.Vault), the audit log, the Authorizer
// (grants.Service), the catalog's variants and the outbox; the server wires
// it. The orders service asks it to cover an order (Cover) and it tells the
// orders service when a verification may release waiting orders (Verified).
package rx

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/phi"
)

// Status is where a prescription is in its check.
type Status string

// The statuses.
const (
	Pending  Status = "pending"  // waits for a pharmacist
	Verified Status = "verified" // checked: orders may use its fills
	Rejected Status = "rejected" // refused, with a reason the patient sees
)

// Label is the status as a patient reads it.
func (s Status) Label() string {
	return map[Status]string{Pending: "Waiting for verification", Verified: "Verified", Rejected: "Rejected"}[s]
}

// Source is how a prescription reached the pharmacy.
type Source string

// The sources.
const (
	SourceUpload     Source = "upload"     // the patient uploaded the paper
	SourcePrescriber Source = "prescriber" // the pharmacy contacts the prescriber named
)

// MaxUpload is the largest upload taken: 10 MB.
const MaxUpload = 10 << 20

// The content types an upload may have, decided from its bytes.
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypePDF  = "application/pdf"
)

// Details are the sealed part of a prescription: what the patient gave and
// what the pharmacist recorded.
type Details struct {
	// From the patient, when they name a prescriber for the pharmacy to
	// contact (source prescriber).
	PrescriberAsked string `json:"pa,omitempty"`
	PrescriberPhone string `json:"pp,omitempty"`
	// Recorded by the pharmacist.
	Drug       string `json:"d,omitempty"`
	Strength   string `json:"s,omitempty"`
	Quantity   int    `json:"q,omitempty"`
	Refills    int    `json:"r,omitempty"`
	Prescriber string `json:"p,omitempty"`
	IssuedOn   string `json:"i,omitempty"` // 2006-01-02
	// ProductID and VariantID are the catalog product the prescription
	// covers, and the variant Refill puts in the cart.
	ProductID string `json:"pid,omitempty"`
	VariantID string `json:"vid,omitempty"`
	// Reason is why it was rejected; the patient sees it.
	Reason string `json:"why,omitempty"`
}

// Prescription is a prescription opened for someone allowed to see it.
type Prescription struct {
	ID, UserID string
	Status     Status
	Source     Source
	Details
	// FillsLeft is how many more orders it may cover.
	FillsLeft int
	// DaysSupply is how long one fill lasts: a refill is due that long after
	// the last fill.
	DaysSupply int
	// ExpiresAt is the end of its validity; zero while pending.
	ExpiresAt, LastFillAt time.Time
	Version               int64
	CreatedAt, UpdatedAt  time.Time
}

// Expired reports whether the prescription's validity ended.
func (p *Prescription) Expired(now time.Time) bool {
	return !p.ExpiresAt.IsZero() && !now.Before(p.ExpiresAt)
}

// Usable reports whether an order may use a fill of it now.
func (p *Prescription) Usable(now time.Time) bool {
	return p.Status == Verified && p.FillsLeft > 0 && !p.Expired(now)
}

// RefillDue is when the next fill is due: DaysSupply after the last fill
// (or after the verification, before the first); zero when none is.
func (p *Prescription) RefillDue() time.Time {
	return refillDue(p.Status, p.FillsLeft, p.DaysSupply, p.LastFillAt, p.UpdatedAt)
}

func refillDue(st Status, fillsLeft, days int, last, updated time.Time) time.Time {
	if st != Verified || fillsLeft <= 0 || days <= 0 {
		return time.Time{}
	}
	base := last
	if base.IsZero() {
		base = updated
	}
	return base.AddDate(0, 0, days)
}

// Record is a prescription as the PHI store keeps it: what the queue, the
// fills and the reminders need in the clear, and the Details sealed by the
// vault under UserID.
type Record struct {
	ID, TenantID, UserID string
	Status               Status
	Source               Source
	DetailsCT            []byte
	FillsLeft            int
	DaysSupply           int
	// ExpiresAt, LastFillAt and RemindedAt are zero when not set.
	ExpiresAt, LastFillAt, RemindedAt time.Time
	DecidedBy                         string
	Version                           int64
	CreatedAt, UpdatedAt              time.Time
}

// Upload is the image or PDF of a prescription, sealed.
type Upload struct {
	PrescriptionID, TenantID, UserID string
	ContentType                      string
	Size                             int64
	DataCT                           []byte
	CreatedAt                        time.Time
}

// Decision is what a pharmacist's verification or rejection stores.
type Decision struct {
	Status     Status
	DetailsCT  []byte
	FillsLeft  int
	DaysSupply int
	ExpiresAt  time.Time
	DecidedBy  string
}

// Store keeps prescriptions in the PHI store (internal/store.Rx).
type Store interface {
	// Insert stores a new prescription and its upload (nil for none) in one
	// transaction.
	Insert(ctx context.Context, r Record, up *Upload) error
	// ByID returns a prescription of a tenant, or NotFound.
	ByID(ctx context.Context, tenantID, id string) (Record, error)
	// ByOwner returns a person's prescriptions, newest first, at most limit.
	ByOwner(ctx context.Context, tenantID, userID string, limit int) ([]Record, error)
	// Queue returns a tenant's prescriptions in a status, oldest first, at
	// most limit.
	Queue(ctx context.Context, tenantID string, status Status, limit int) ([]Record, error)
	// Upload returns the upload of a prescription of a tenant, or NotFound.
	Upload(ctx context.Context, tenantID, prescriptionID string) (Upload, error)
	// Decide records a pharmacist's decision on a pending prescription read
	// at version; a Conflict (apperr.ErrStale) when it is no longer pending
	// at that version (another pharmacist decided first).
	Decide(ctx context.Context, tenantID, id string, version int64, d Decision, now time.Time) error
	// Fill uses one fill of each prescription for an order, all or nothing,
	// in one transaction: each must be verified, unexpired at now and have a
	// fill left, or nothing changes and the error is a Conflict
	// (apperr.ErrStale). An order that used fills before is covered already:
	// nothing more is used.
	Fill(ctx context.Context, tenantID, orderID string, prescriptionIDs []string, now time.Time) error
	// Reminders returns, in every tenant, up to limit verified,
	// unexpired prescriptions with a fill left and a days' supply that were
	// not reminded of since their last fill (the caller tells which are due).
	Reminders(ctx context.Context, now time.Time, limit int) ([]Record, error)
	// MarkReminded records that the refill reminder went out.
	MarkReminded(ctx context.Context, tenantID, id string, now time.Time) error
	// Correct re-writes a prescription's sealed details (an accepted
	// amendment) if it is still at version; a Conflict (apperr.ErrStale)
	// otherwise.
	Correct(ctx context.Context, tenantID, id string, version int64, detailsCT []byte) error
}

// Authorizer decides access to a patient's data (grants.Service): a denial
// is audited and is the same NotFound as a missing record.
type Authorizer interface {
	Authorize(ctx context.Context, tenantID, patientID string, class access.DataClass, act access.Action) (access.Decision, error)
}

// Catalog reads variants from the catalog store (cart.Service, or
// internal/store.Carts).
type Catalog interface {
	Variants(ctx context.Context, tenantID string, ids []string) ([]cart.Line, error)
}

// Enqueuer queues an email (internal/outbox).
type Enqueuer interface {
	Enqueue(ctx context.Context, tenantID, subjectID string, kind notify.Kind, m notify.Message) error
}

// Deps are what the service is built on.
type Deps struct {
	Store   Store
	Vault   phi.Vault
	Audit   audit.Appender
	Auth    Authorizer
	Catalog Catalog
	Outbox  Enqueuer
	// Contacts finds a person's email address, for the refill reminder.
	Contacts func(ctx context.Context, tenantID, userID string) (string, error)
	// Reminders, if set, says whether a person wants reminder emails (their
	// profile's communication preference, accounts.Service.WantsReminders);
	// a person who turned them off gets no refill reminder.
	Reminders func(ctx context.Context, tenantID, userID string) (bool, error)
	// Links names a tenant's shop and its address, for the reminder.
	Links func(ctx context.Context, tenantID string) (brand, baseURL string)
	// Verified, if set, is told that a pharmacist verified a prescription of
	// a patient: the orders that wait for one move on
	// (orders.Service.CoverWaiting).
	Verified func(ctx context.Context, tenantID, patientID string) error
	Clock    clock.Clock
	Log      *slog.Logger
}

// Service keeps prescriptions.
type Service struct {
	d Deps
}

// New returns the prescription service.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{d: d}
}

// SetVerified sets what is told of a verification, for wiring where the
// orders service is built after this one.
func (s *Service) SetVerified(f func(ctx context.Context, tenantID, patientID string) error) {
	s.d.Verified = f
}

func open(h phi.Handle, r Record) (*Prescription, error) {
	body, err := h.OpenBytes(r.UserID, "rx_prescriptions", "details_ct", r.ID, r.DetailsCT)
	if err != nil {
		return nil, err
	}
	p := &Prescription{ID: r.ID, UserID: r.UserID, Status: r.Status, Source: r.Source, FillsLeft: r.FillsLeft,
		DaysSupply: r.DaysSupply, ExpiresAt: r.ExpiresAt, LastFillAt: r.LastFillAt, Version: r.Version,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if err := phi.DecodeJSON(body.Reveal(), &p.Details); err != nil {
		return nil, fmt.Errorf("prescription %s details: %w", r.ID, err)
	}
	return p, nil
}

func seal(h phi.Handle, userID, rowID string, d Details) ([]byte, error) {
	body, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("prescription details: %w", err)
	}
	return h.SealBytes(userID, "rx_prescriptions", "details_ct", rowID, body)
}
