// Package messaging is secure messaging: threads between a patient (or
// their proxy with the messages data class) and a team the tenant
// configures (customer service, the pharmacy, a clinician's care team),
// their messages and attachments.
//
// Messages are PHI: a thread's subject, every message's text and every
// attachment are sealed by the vault under the patient, and every read and
// write goes through an audited vault handle. Access is decided twice: by
// grants.Authorize with the messages data class (the patient, their proxy
// with that class, staff whose role may read it; clinicians only for
// patients they care for), and, for staff, by membership of the thread's
// team (a pharmacist sees only the pharmacy team's threads). A denial is the
// same NotFound as a missing thread.
//
// A new message emails the other side "You have a new message from Acme
// Pharmacy — sign in to read it" through the outbox: never its text, never
// its subject. A person may send at most MaxPerHour messages an hour.
//
// The service is built on what it declares here; internal/store.Messages
// implements Store and the server wires it.
package messaging

import (
	"bytes"
	"context"
	"log/slog"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/phi"
)

// MaxAttachment is the largest file a message may carry: 10 MB.
const MaxAttachment = 10 << 20

// MaxPerHour is how many messages one person may send in an hour.
const MaxPerHour = 30

// MaxBody is the longest message text, in characters.
const MaxBody = 5000

// The content types an attachment may have, decided from its bytes.
const (
	TypePNG  = "image/png"
	TypeJPEG = "image/jpeg"
	TypeWebP = "image/webp"
	TypeGIF  = "image/gif"
	TypePDF  = "application/pdf"
)

// Sniff returns the content type of a file decided from its first bytes
// (its magic numbers), never from its name or the browser's word: PNG,
// JPEG, WebP, GIF or PDF; "" for anything else.
func Sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return TypePNG
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return TypeJPEG
	case len(b) >= 12 && bytes.Equal(b[:4], []byte("RIFF")) && bytes.Equal(b[8:12], []byte("WEBP")):
		return TypeWebP
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return TypeGIF
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return TypePDF
	}
	return ""
}

// TeamKind is what a team is for.
type TeamKind string

// The team kinds.
const (
	KindService  TeamKind = "service"  // customer service: orders, shipping, returns
	KindPharmacy TeamKind = "pharmacy" // the pharmacy: prescriptions, medicines
	KindCare     TeamKind = "care"     // a clinician's care team
)

// Kinds lists the team kinds in the order forms offer them.
var Kinds = []TeamKind{KindService, KindPharmacy, KindCare}

// Label is the kind as people read it.
func (k TeamKind) Label() string {
	return map[TeamKind]string{KindService: "Customer service", KindPharmacy: "Pharmacy", KindCare: "Care team"}[k]
}

// Team is a team of staff that patients write to. Its name is configuration
// and shown to patients ("Pharmacy"); Members are staff account ids.
type Team struct {
	ID, TenantID, Name string
	Kind               TeamKind
	Members            []string
	CreatedAt          time.Time
}

// Status is whether a thread waits for the team.
type Status string

// The statuses.
const (
	Open   Status = "open"
	Closed Status = "closed"
)

// Label is the status as people read it.
func (s Status) Label() string { return map[Status]string{Open: "Open", Closed: "Closed"}[s] }

// Side is who wrote a message: the patient's side (the patient or their
// proxy) or the team's.
type Side string

// The sides.
const (
	SidePatient Side = "patient"
	SideStaff   Side = "staff"
)

// About is what a patient may link a thread to.
type About string

// The links.
const (
	AboutNone         About = ""
	AboutOrder        About = "order"
	AboutPrescription About = "prescription"
)

// ThreadRecord is a thread as the PHI store keeps it: its subject sealed
// under PatientID, the rest in the clear for the inbox.
type ThreadRecord struct {
	ID, TenantID, PatientID, TeamID string
	SubjectCT                       []byte
	AboutKind                       About
	AboutID                         string
	Status                          Status
	AssignedTo, StartedBy           string
	PatientUnread, StaffUnread      int
	LastAt, CreatedAt, UpdatedAt    time.Time
}

// PostRecord is a message as the PHI store keeps it, its text sealed.
type PostRecord struct {
	ID, TenantID, ThreadID, PatientID, AuthorID string
	Side                                        Side
	BodyCT                                      []byte
	CreatedAt                                   time.Time
	// Attachment is the id, type and size of its file, if any (read with
	// the posts; the bytes stay in the store).
	Attachment *AttachmentInfo
}

// AttachmentInfo is what a page shows of a file: never its bytes.
type AttachmentInfo struct {
	ID          string
	ContentType string
	Size        int64
}

// AttachmentRecord is a message's file, sealed.
type AttachmentRecord struct {
	ID, TenantID, ThreadID, PostID, PatientID string
	ContentType                               string
	Size                                      int64
	DataCT                                    []byte
	CreatedAt                                 time.Time
}

// InboxQuery selects threads for staff.
type InboxQuery struct {
	TenantID string
	TeamIDs  []string
	// CareOf, when set, keeps only threads of patients this clinician has a
	// current care relationship with.
	CareOf string
	// Status filters when set; AssignedTo filters when set.
	Status     Status
	AssignedTo string
	Limit      int
}

// Store keeps teams, threads, messages and attachments in the PHI store
// (internal/store.Messages).
type Store interface {
	// CreateTeam stores a team; a Conflict (apperr.Duplicate) when the
	// tenant has one of that name.
	CreateTeam(ctx context.Context, t Team) error
	// Teams returns a tenant's teams with their members, by name.
	Teams(ctx context.Context, tenantID string) ([]Team, error)
	// AddMember adds a staff account to a team of the tenant (again is a
	// no-op); RemoveMember takes it off.
	AddMember(ctx context.Context, tenantID, teamID, userID string, now time.Time) error
	RemoveMember(ctx context.Context, tenantID, teamID, userID string) error
	// InsertThread stores a new thread with its first message (and its file,
	// nil for none) in one transaction.
	InsertThread(ctx context.Context, t ThreadRecord, p PostRecord, a *AttachmentRecord) error
	// InsertPost adds a message (and its file) to a thread in one
	// transaction: the other side's unread count goes up, the thread's last
	// activity moves, and a patient's message reopens a closed thread.
	InsertPost(ctx context.Context, p PostRecord, a *AttachmentRecord) error
	// Thread returns a thread of a tenant, or NotFound.
	Thread(ctx context.Context, tenantID, id string) (ThreadRecord, error)
	// ThreadsOf returns a patient's threads, latest activity first.
	ThreadsOf(ctx context.Context, tenantID, patientID string, limit int) ([]ThreadRecord, error)
	// Inbox returns the threads of teams, latest activity first.
	Inbox(ctx context.Context, q InboxQuery) ([]ThreadRecord, error)
	// Posts returns a thread's messages, oldest first, with their files'
	// ids, types and sizes.
	Posts(ctx context.Context, tenantID, threadID string) ([]PostRecord, error)
	// Attachment returns a file of a tenant, or NotFound.
	Attachment(ctx context.Context, tenantID, id string) (AttachmentRecord, error)
	// MarkRead sets a side's unread count of a thread to zero.
	MarkRead(ctx context.Context, tenantID, threadID string, side Side) error
	// Assign sets who in the team handles a thread ("" for nobody).
	Assign(ctx context.Context, tenantID, threadID, userID string, now time.Time) error
	// SetStatus opens or closes a thread.
	SetStatus(ctx context.Context, tenantID, threadID string, st Status, now time.Time) error
	// SentSince counts the messages a person wrote since a time.
	SentSince(ctx context.Context, tenantID, authorID string, since time.Time) (int, error)
}

// Authorizer decides access to a patient's data (grants.Service): a denial
// is audited and is the same NotFound as a missing record.
type Authorizer interface {
	Authorize(ctx context.Context, tenantID, patientID string, class access.DataClass, act access.Action) (access.Decision, error)
}

// Enqueuer queues an email (internal/outbox).
type Enqueuer interface {
	Enqueue(ctx context.Context, tenantID, subjectID string, kind notify.Kind, m notify.Message) error
}

// Member is a staff account as team pages name it.
type Member struct {
	ID, Name string
	Role     access.Role
}

// Deps are what the service is built on.
type Deps struct {
	Store  Store
	Vault  phi.Vault
	Audit  audit.Appender
	Auth   Authorizer
	Outbox Enqueuer
	// Contacts finds a person's email address, for the notice of a new
	// message.
	Contacts func(ctx context.Context, tenantID, userID string) (string, error)
	// Links names a tenant (the brand the notice names) and its address.
	Links func(ctx context.Context, tenantID string) (brand, baseURL string)
	// Staff lists the tenant's staff accounts with their names (audited by
	// the accounts service), for team pages and assignment.
	Staff func(ctx context.Context, tenantID string) ([]Member, error)
	// Owns reports whether an order or a prescription belongs to the
	// patient, for a thread about one; nil refuses every link.
	Owns func(ctx context.Context, tenantID, patientID string, kind About, id string) (bool, error)
	// Received is told of each message the patient's side sends, by the
	// thread's and the message's ids only (the message.received webhook;
	// nil: nobody is told). The message is stored already; Received must
	// not fail the send.
	Received func(ctx context.Context, tenantID, threadID, messageID string)
	Clock    clock.Clock
	Log      *slog.Logger
}

// Service keeps messages.
type Service struct {
	d Deps
}

// New returns the messaging service.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{d: d}
}
