// Package records is the patient's right of access (45 CFR 164.524): a copy
// of everything Salve holds about a person, asked for at /account/records,
// built by a background job and downloadable for 7 days.
//
// What goes in the copy comes from a registry of Exporters, one per domain
// (profile, orders, prescriptions, appointments, lab results, lists, the
// dashboard's arrangement; messages, devices or billing register theirs when
// they exist). Each section is read through its domain's own service, so
// every read is decided and audited there; each exporter belongs to a data
// class, and a proxy's copy holds only the classes the patient granted them.
//
// The copy is one zip with two files: record.json (every section as JSON)
// and fhir-bundle.json (a FHIR R4 Bundle of type collection: Patient,
// Observation, DiagnosticReport, MedicationRequest, Appointment, and orders as
// DocumentReference). It is sealed by the vault under the patient; request,
// build, download and deletion are audit events.
package records

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Keep is how long a built copy stays downloadable before it is deleted.
const Keep = 7 * 24 * time.Hour

// StaleBuild is how long a build may run before another process takes it
// over (the one building it is taken to have died).
const StaleBuild = 10 * time.Minute

// Status is where an export is.
type Status string

// The statuses.
const (
	Pending  Status = "pending"  // asked for; the job has not started
	Building Status = "building" // the job is reading the sections
	Ready    Status = "ready"    // sealed and downloadable until it expires
	Failed   Status = "failed"   // the build failed; ask again
)

// Label is the status as a person reads it.
func (s Status) Label() string {
	return map[Status]string{Pending: "Waiting to start", Building: "Being prepared", Ready: "Ready to download",
		Failed: "Could not be prepared"}[s]
}

// Record is an export as the PHI store keeps it.
type Record struct {
	ID, TenantID, PatientID string
	// RequestedBy is who asked: the patient or a proxy. Only they download it.
	RequestedBy string
	// Classes are the data classes the copy holds (set when it is built).
	Classes  []access.DataClass
	Status   Status
	Progress int
	// ArchiveCT is the sealed zip; nil until ready.
	ArchiveCT []byte
	Size      int64
	// Error is machine text about a failed build, never PHI.
	Error                                    string
	CreatedAt, StartedAt, ReadyAt, ExpiresAt time.Time
}

// Store is the exports' storage in the PHI store (internal/store.Records).
type Store interface {
	Insert(ctx context.Context, r Record) error
	// ByID returns an export of a tenant, or apperr NotFound.
	ByID(ctx context.Context, tenantID, id string) (Record, error)
	// ForRequester returns the exports of a patient asked for by requester,
	// newest first, at most limit, without their archives.
	ForRequester(ctx context.Context, tenantID, patientID, requester string, limit int) ([]Record, error)
	// Claim marks up to limit pending exports (and builds older than
	// staleBefore) as building by now and returns them; two processes never
	// claim the same one.
	Claim(ctx context.Context, now, staleBefore time.Time, limit int) ([]Record, error)
	// Progress records how far a build is.
	Progress(ctx context.Context, id string, progress int) error
	// Finish stores a built export (status ready or failed).
	Finish(ctx context.Context, r Record) error
	// Expired returns exports whose file expired before now, or that failed
	// before failedBefore, at most limit.
	Expired(ctx context.Context, now, failedBefore time.Time, limit int) ([]Record, error)
	// Delete removes an export and its file.
	Delete(ctx context.Context, tenantID, id string) error
}

// Section is one domain's part of a copy.
type Section struct {
	// Records go into record.json under the exporter's name, as JSON.
	Records any
	// Count is how many records the section holds.
	Count int
	// Resources are FHIR R4 resources for the bundle (types from
	// github.com/samply/golang-fhir-models, which add their resourceType).
	Resources []Resource
}

// Resource is one FHIR resource with its id, for the bundle's fullUrl.
type Resource struct {
	ID       string
	Resource any
}

// Exporter is one domain's section of the copy.
type Exporter struct {
	// Name is the section's key in record.json, e.g. "orders".
	Name string
	// Label is the section as a person reads it ("Lab results").
	Label string
	// Class is the section's data class: it is in a copy only when the
	// requester may read that class of the patient's data.
	Class access.DataClass
	// Export reads the patient's records for the actor in ctx (the
	// requester) through the domain's service, which audits the read.
	Export func(ctx context.Context, tenantID, patientID string) (Section, error)
}

// Facts looks up the policy's facts about the actor in ctx and a patient
// (grants.Service.Facts).
type Facts func(ctx context.Context, tenantID, patientID string) (access.Facts, error)

// Deps are what the service works with.
type Deps struct {
	Store Store
	Vault phi.Vault
	Audit audit.Appender
	Facts Facts
	Clock clock.Clock
	Log   *slog.Logger
}

// Service asks for, builds, serves and deletes copies of records.
type Service struct {
	d         Deps
	mu        sync.RWMutex
	exporters []Exporter
}

// New returns the service; exporters are added with Register.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{d: d}
}

// Register adds a domain's exporter. Names are unique: a second exporter of
// the same name replaces the first.
func (s *Service) Register(e Exporter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exporters = slices.DeleteFunc(s.exporters, func(o Exporter) bool { return o.Name == e.Name })
	s.exporters = append(s.exporters, e)
}

// Exporters returns the registered exporters, in order.
func (s *Service) Exporters() []Exporter {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.exporters)
}

// Now is the service's time.
func (s *Service) Now() time.Time { return s.d.Clock.Now() }

// readable returns the data classes of the exporters that the actor in ctx
// may read of patientID's data, in exporter order without repeats.
func (s *Service) readable(ctx context.Context, tenantID, patientID string) ([]access.DataClass, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok {
		return nil, nil
	}
	facts, err := s.d.Facts(ctx, tenantID, patientID)
	if err != nil {
		return nil, err
	}
	var out []access.DataClass
	for _, e := range s.Exporters() {
		if slices.Contains(out, e.Class) {
			continue
		}
		d := access.Decide(a, access.Request{TenantID: tenantID, PatientID: patientID, Class: e.Class, Action: access.Read}, facts, s.d.Clock.Now())
		if d.Allowed {
			out = append(out, e.Class)
		}
	}
	return out, nil
}

func classesText(cs []access.DataClass) string {
	ss := make([]string, len(cs))
	for i, c := range cs {
		ss[i] = string(c)
	}
	return strings.Join(ss, ",")
}

// ParseClasses reads the stored classes column.
func ParseClasses(s string) []access.DataClass {
	var out []access.DataClass
	for p := range strings.SplitSeq(s, ",") {
		if p != "" {
			out = append(out, access.DataClass(p))
		}
	}
	return out
}

// ClassesText is the stored form of classes.
func ClassesText(cs []access.DataClass) string { return classesText(cs) }

// archive is record.json.
type archive struct {
	Format      string                     `json:"format"`
	TenantID    string                     `json:"tenant_id"`
	PatientID   string                     `json:"patient_id"`
	GeneratedAt time.Time                  `json:"generated_at"`
	Classes     []access.DataClass         `json:"data_classes"`
	Counts      map[string]int             `json:"counts"`
	Sections    map[string]json.RawMessage `json:"sections"`
}

// ArchiveFormat names record.json's layout.
const ArchiveFormat = "salve.record-export.v1"
