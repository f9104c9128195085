// Package accounting is what HIPAA's 164.528 and the portal's "who accessed
// my record" give a patient: the access log, read from the audit log (who
// read or changed their data, when and why, newest first), and the
// disclosures of their data to outside parties (a lab, an insurer, a
// courier), recorded by staff or by the code paths that send data out, with
// the accounting of the past six years as a page and a CSV file.
//
// Both are the patient's audit metadata (access.DataAuditMeta): the patient
// sees their own, a proxy only with that class granted, compliance for a
// review; anyone else gets the same 404 as no such person. A disclosure's
// details (recipient, purpose, what was sent) are sealed under the patient.
package accounting

import (
	"context"
	"log/slog"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/phi"
)

// Window is how far back the accounting of disclosures goes (164.528(a):
// six years before the request).
const Window = 6 * 365 * 24 * time.Hour

// PageSize is how many events one page of the access log shows.
const PageSize = 50

// Events are the audit log's queries (audit.Log).
type Events interface {
	Find(ctx context.Context, q audit.Query) ([]audit.Record, error)
}

// Users looks accounts up by id (internal/store.Users), for the names of
// the people in the log.
type Users interface {
	ByID(ctx context.Context, tenantID, userID string) (accounts.User, error)
}

// Authorizer decides an actor's access to a patient's data of a class,
// auditing a denial (grants.Service).
type Authorizer interface {
	Authorize(ctx context.Context, tenantID, patientID string, class access.DataClass, act access.Action) (access.Decision, error)
	Facts(ctx context.Context, tenantID, patientID string) (access.Facts, error)
}

// Disclosure is one disclosure of a patient's data to an outside party.
type Disclosure struct {
	ID, TenantID, PatientID string
	// At is when the data was sent.
	At time.Time
	// RecordedBy is who recorded it (a staff member, or "system:<job>" for
	// a code path that disclosed); RecordedByName is how the page names them.
	RecordedBy, RecordedByName string
	CreatedAt                  time.Time
	Details
}

// Details are the sealed part of a disclosure.
type Details struct {
	// Recipient is who received the data, with their address when known.
	Recipient string `json:"recipient"`
	// Purpose is why it was sent.
	Purpose string `json:"purpose"`
	// Sent says what was sent (a description, never the data itself).
	Sent string `json:"sent"`
}

// Row is a disclosure as the PHI store keeps it.
type Row struct {
	ID, TenantID, PatientID, RecordedBy string
	At, CreatedAt                       time.Time
	DetailsCT                           []byte
}

// Store is the disclosures' storage in the PHI store
// (internal/store.Disclosures).
type Store interface {
	Insert(ctx context.Context, r Row) error
	// ForPatient returns a patient's disclosures made at or after since,
	// newest first, at most limit.
	ForPatient(ctx context.Context, tenantID, patientID string, since time.Time, limit int) ([]Row, error)
}

// Deps are what the service works with.
type Deps struct {
	Store  Store
	Events Events
	Users  Users
	Vault  phi.Vault
	Audit  audit.Appender
	Grants Authorizer
	Clock  clock.Clock
	Log    *slog.Logger
}

// Service is the access log and the disclosures.
type Service struct{ d Deps }

// New returns the service.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{d: d}
}

// Now is the service's time.
func (s *Service) Now() time.Time { return s.d.Clock.Now() }
