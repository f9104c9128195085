// Package amend is a patient's right to amend their record (45 CFR
// 164.526): a patient, or a proxy granted the record's data class, asks to
// correct a record (a lab result, a prescription, a field of their profile)
// with a reason; staff who
// may write that class accept the correction or deny it with a reason,
// within 60 days of the request, which one extension of 30 days with a
// reason may move. An accepted correction is written into the record by its
// own service (Deps.Apply), and its request stays as the record's amendment
// history (the old value and the new side by side, sealed);
// a denied patient may file a statement of disagreement, which then travels
// with the record: the record's page shows it to the patient and to staff.
//
// Every text (the field, the values, the reasons, the statement) is PHI,
// sealed under the patient by the vault; the store sees only who, which
// record, which class, the state and the clock. The compliance officer's
// page reads the clock (received, due, overdue) without opening any text.
package amend

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Kind is the kind of record a request amends.
type Kind string

// The kinds of record that can be amended.
const (
	LabResult    Kind = "lab_result"
	Prescription Kind = "prescription"
	// Profile is a patient's profile (date of birth, phone, allergies,
	// insurance, emergency contact): its record id is the patient's id.
	Profile Kind = "profile"
)

// Kinds are every kind, in the order pages list them.
var Kinds = []Kind{LabResult, Prescription, Profile}

// Class is the data class of a kind's records: who may read the request,
// and who (with write access to it) may decide it.
func (k Kind) Class() access.DataClass {
	switch k {
	case LabResult:
		return access.DataClinical
	case Prescription:
		return access.DataRx
	case Profile:
		// Why contact: the profile is the account's contact and
		// demographic record; customer service decides its amendments
		// (the staff role that may write it), and a proxy asks for one
		// only with the contact scope.
		return access.DataContact
	}
	return ""
}

// Label names the kind for people.
func (k Kind) Label() string {
	switch k {
	case LabResult:
		return "Lab result"
	case Prescription:
		return "Prescription"
	case Profile:
		return "Profile"
	}
	return "Record"
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Status is where a request is.
type Status string

// The statuses.
const (
	Requested Status = "requested"
	Accepted  Status = "accepted"
	Denied    Status = "denied"
)

// Label names the status for people.
func (s Status) Label() string {
	switch s {
	case Requested:
		return "Waiting for a decision"
	case Accepted:
		return "Accepted"
	case Denied:
		return "Denied"
	}
	return string(s)
}

// Deadline is how long staff have to decide (164.526(b)(2)); Extension is
// the one extension they may take, with a reason given to the patient.
const (
	Deadline  = 60 * 24 * time.Hour
	Extension = 30 * 24 * time.Hour
)

// MaxText is the longest text a field of a request, decision or statement
// may hold, in characters.
const MaxText = 2000

// Body is the sealed part of a request.
type Body struct {
	// Field is what the request corrects (a test's name, "Prescription
	// note"); Current is what the record said when it was asked.
	Field   string `json:"field"`
	Current string `json:"current"`
	// FieldKey is the field's key in its record (an observation's id), so
	// that the record's page shows the correction in place.
	FieldKey string `json:"field_key"`
	// Proposed is what the patient says it should say; Reason why.
	Proposed string `json:"proposed"`
	Reason   string `json:"reason"`
	// ExtensionReason is why staff took the extension.
	ExtensionReason string `json:"extension_reason,omitempty"`
	// Decision is the reason for a denial, or a note with an acceptance.
	Decision string `json:"decision,omitempty"`
	// Applied is the value an acceptance wrote into the record (the
	// patient's Proposed, or staff's form of it, such as "5.4" for "5.4
	// mmol/L, not 7.2"); Current stays as the old value in the history.
	Applied string `json:"applied,omitempty"`
	// Disagreement is the patient's statement after a denial.
	Disagreement string    `json:"disagreement,omitempty"`
	DisagreedAt  time.Time `json:"disagreed_at,omitzero"`
}

// Record is a request as the PHI store keeps it: Body sealed under the
// patient (BodyCT), in the clear only who, which record and the clock.
type Record struct {
	ID, TenantID, PatientID string
	// RequesterID is who asked: the patient, or their proxy.
	RequesterID string
	Kind        Kind
	RecordID    string
	Status      Status
	RequestedAt time.Time
	// DueAt is when a decision is due: 60 days after the request, 90 once
	// extended.
	DueAt     time.Time
	Extended  bool
	DecidedAt time.Time
	DeciderID string
	// Disagreed is set once the patient filed a statement of disagreement.
	Disagreed bool
	BodyCT    []byte
}

// Amendment is a request opened for someone allowed to read it.
type Amendment struct {
	ID, PatientID, RequesterID string
	Kind                       Kind
	RecordID                   string
	Status                     Status
	RequestedAt, DueAt         time.Time
	DecidedAt                  time.Time
	Extended, Disagreed        bool
	// Overdue is set while it waits past its due time.
	Overdue bool
	Body
}

// Corrected is what the corrected field reads: the value written into the
// record, or (for an acceptance from before corrections were written into
// records) what the patient proposed.
func (a *Amendment) Corrected() string {
	if a.Applied != "" {
		return a.Applied
	}
	return a.Proposed
}

// Href is the record's page for the patient.
func (a *Amendment) Href() string { return RecordHref(a.Kind, a.RecordID) }

// RecordHref is the patient's page of a record.
func RecordHref(k Kind, recordID string) string {
	switch k {
	case LabResult:
		return "/account/results/" + recordID
	case Prescription:
		return "/account/prescriptions#rx-" + recordID
	case Profile:
		// The profile page of the patient themselves; a proxy reads
		// the request and its history on the request's page.
		return "/account/profile"
	}
	return "/account"
}

// Store keeps requests in the PHI store (internal/store.Amendments).
type Store interface {
	// Insert stores a new request.
	Insert(ctx context.Context, r Record) error
	// ByID returns a request of a tenant, or NotFound.
	ByID(ctx context.Context, tenantID, amendmentID string) (Record, error)
	// ByPatient returns a patient's requests, newest first, at most limit.
	ByPatient(ctx context.Context, tenantID, patientID string, limit int) ([]Record, error)
	// ByRecord returns the requests about one record, oldest first.
	ByRecord(ctx context.Context, tenantID string, kind Kind, recordID string) ([]Record, error)
	// Open returns a tenant's requests waiting for a decision, of the
	// given kinds (all kinds when empty), the earliest due first, at most
	// limit.
	Open(ctx context.Context, tenantID string, kinds []Kind, limit int) ([]Record, error)
	// Update writes a request's new state if it still is in the state
	// prev; a Conflict (apperr.StaleError) otherwise.
	Update(ctx context.Context, prev, next Record) error
}

// Authorizer decides access to a patient's data (grants.Service.Authorize).
type Authorizer interface {
	Authorize(ctx context.Context, tenantID, patientID string, class access.DataClass, act access.Action) (access.Decision, error)
}

// Field is one part of a record a patient may ask to correct, with what it
// says now.
type Field struct {
	Key, Label, Value string
}

// Target is a record opened for the actor in ctx by its own service (which
// decides and audits the read): its patient and the fields that can be
// corrected.
type Target struct {
	PatientID string
	Title     string
	Fields    []Field
}

// Resolver opens a record of a kind for the actor in ctx (server wires the
// labs and prescription services).
type Resolver func(ctx context.Context, tenantID string, kind Kind, recordID string) (Target, error)

// Applier writes an accepted correction into the record for the actor in
// ctx: the field fieldKey of the record takes value (server wires
// labs.Service.Correct and rx.Service.Correct, which decide and audit the
// write). A value the field cannot hold is an Invalid error on "value".
type Applier func(ctx context.Context, tenantID string, kind Kind, recordID, fieldKey, value string) error

// Enqueuer queues an email (internal/outbox).
type Enqueuer interface {
	Enqueue(ctx context.Context, tenantID, subjectID string, kind notify.Kind, m notify.Message) error
}

// Deps are what the service is built on.
type Deps struct {
	Store    Store
	Grants   Authorizer
	Vault    phi.Vault
	Audit    audit.Appender
	Resolver Resolver
	// Apply writes accepted corrections into their records. Optional: without
	// it an acceptance only joins the record's history.
	Apply Applier
	// Outbox, Contacts (accounts.Service.Email) and Links (the tenant's
	// name and address) tell the patient that their request was answered:
	// an email with no content. Optional.
	Outbox   Enqueuer
	Contacts func(ctx context.Context, tenantID, userID string) (string, error)
	Links    func(ctx context.Context, tenantID string) (brand, baseURL string)
	Log      *slog.Logger
	Clock    clock.Clock
}

// Service takes, decides and shows amendment requests.
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

// tell queues the email that a request was answered to its patient: the
// brand and a link to the request's page, nothing of the record, the
// request or the answer (no PHI in email). A failure is logged with ids
// only: the answer is stored and shows on the page either way.
func (s *Service) tell(ctx context.Context, tenantID string, a *Amendment) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.d.Outbox == nil || s.d.Contacts == nil || s.d.Links == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	to, err := s.d.Contacts(ctx, tenantID, a.PatientID)
	if err == nil {
		brand, base := s.d.Links(ctx, tenantID)
		var m notify.Message
		if m, err = notify.Compose(notify.AmendmentAnswered, to, notify.Params{Brand: brand, Link: base + "/account/amendments/" + a.ID}); err == nil {
			err = s.d.Outbox.Enqueue(ctx, tenantID, a.PatientID, notify.AmendmentAnswered, m)
		}
	}
	if err != nil {
		s.d.Log.WarnContext(ctx, "amendment answer email not queued", "amendment", a.ID, "err", err)
	}
}

// Now is the service's time (pages show due dates against it).
func (s *Service) Now() time.Time { return s.d.Clock.Now() }

// Input is a patient's request as typed.
type Input struct {
	Kind     Kind
	RecordID string
	// Field is the Key of one of the record's Fields.
	Field    string
	Proposed string
	Reason   string
}

func text(fields map[string]string, key, v, empty string) string {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		fields[key] = empty
	case utf8.RuneCountInString(v) > MaxText || strings.ContainsRune(v, 0):
		fields[key] = fmt.Sprintf("Keep it under %d characters.", MaxText)
	}
	return v
}

// Target opens the record a request would amend, for the form: the actor
// must be a patient who may read it (themselves, or a proxy with its class).
func (s *Service) Target(ctx context.Context, tenantID string, kind Kind, recordID string) (Target, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, _ := access.ActorFrom(ctx)
	// Why patients only: the right is the patient's (or their proxy's);
	// staff correct records through their own work, not by asking.
	if a.Role != access.RolePatient || !kind.Valid() || s.d.Resolver == nil {
		return Target{}, apperr.NotFoundError()
	}
	return s.d.Resolver(ctx, tenantID, kind, recordID)
}

// Request records a patient's request to amend a record: the field's
// current value is taken from the record itself, the text is sealed under
// the patient and the request is due in 60 days. Bad input is an Invalid
// error per field and stores nothing.
func (s *Service) Request(ctx context.Context, tenantID string, in Input) (*Amendment, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	t, err := s.Target(ctx, tenantID, in.Kind, in.RecordID)
	if err != nil {
		return nil, err
	}
	fields := map[string]string{}
	var field *Field
	for i := range t.Fields {
		if t.Fields[i].Key == in.Field {
			field = &t.Fields[i]
		}
	}
	if field == nil {
		fields["field"] = "Choose what is wrong."
	}
	proposed := text(fields, "proposed", in.Proposed, "Say what it should say.")
	reason := text(fields, "reason", in.Reason, "Say why it is wrong, so that staff can check it.")
	if len(fields) > 0 {
		return nil, apperr.InvalidFields("Check the highlighted fields.", fields)
	}
	d, err := s.d.Grants.Authorize(ctx, tenantID, t.PatientID, in.Kind.Class(), access.Write)
	if err != nil {
		return nil, err
	}
	a, _ := access.ActorFrom(ctx)
	now := s.d.Clock.Now()
	r := Record{ID: id.NewAt(now), TenantID: tenantID, PatientID: t.PatientID, RequesterID: a.ID, Kind: in.Kind, RecordID: in.RecordID,
		Status: Requested, RequestedAt: now, DueAt: now.Add(Deadline)}
	body := Body{Field: field.Label, FieldKey: field.Key, Current: field.Value, Proposed: proposed, Reason: reason}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{t.PatientID}, Action: access.Write, Purpose: d.Purpose,
		Resource: "amendment", ResourceID: r.ID, AuditAction: "amendment.request", Detail: "kind=" + string(in.Kind)})
	if err != nil {
		return nil, err
	}
	if r.BodyCT, err = seal(h, r, body); err != nil {
		return nil, err
	}
	if err := s.d.Store.Insert(ctx, r); err != nil {
		return nil, err
	}
	return view(r, body, now), nil
}

func seal(h phi.Handle, r Record, b Body) ([]byte, error) {
	raw, err := json.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("amendment: %w", err)
	}
	return h.SealBytes(r.PatientID, "amendments", "body_ct", r.ID, raw)
}

func open(h phi.Handle, r Record, now time.Time) (*Amendment, error) {
	raw, err := h.OpenBytes(r.PatientID, "amendments", "body_ct", r.ID, r.BodyCT)
	if err != nil {
		return nil, err
	}
	var b Body
	if err := json.Unmarshal(raw.Reveal(), &b); err != nil {
		return nil, fmt.Errorf("amendment %s: %w", r.ID, err)
	}
	return view(r, b, now), nil
}

func view(r Record, b Body, now time.Time) *Amendment {
	return &Amendment{ID: r.ID, PatientID: r.PatientID, RequesterID: r.RequesterID, Kind: r.Kind, RecordID: r.RecordID, Status: r.Status,
		RequestedAt: r.RequestedAt, DueAt: r.DueAt, DecidedAt: r.DecidedAt, Extended: r.Extended, Disagreed: r.Disagreed,
		Overdue: r.Status == Requested && now.After(r.DueAt), Body: b}
}

// readable returns the kinds whose class the actor may read of a patient,
// and the purpose of the last allowed decision. A denial of one class only
// leaves its kind out; an actor who may read none gets NotFound.
func (s *Service) readable(ctx context.Context, tenantID, patientID string, act access.Action) ([]Kind, access.Purpose, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var kinds []Kind
	var purpose access.Purpose
	var lastErr error
	for _, k := range Kinds {
		d, err := s.d.Grants.Authorize(ctx, tenantID, patientID, k.Class(), act)
		switch {
		case err == nil:
			kinds, purpose = append(kinds, k), d.Purpose
		case apperr.Is(err, apperr.NotFound), apperr.Is(err, apperr.Denied):
			lastErr = err
		default:
			return nil, "", err
		}
	}
	if len(kinds) == 0 {
		if lastErr == nil {
			lastErr = apperr.NotFoundError()
		}
		return nil, "", lastErr
	}
	return kinds, purpose, nil
}

// ListLimit is the most requests a list shows.
const ListLimit = 200

// ForPatient opens a patient's requests, newest first, for the actor in ctx
// (the patient, or a proxy: only the kinds their grant covers): one
// statement and one audited vault access.
func (s *Service) ForPatient(ctx context.Context, tenantID, patientID string) ([]*Amendment, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	kinds, purpose, err := s.readable(ctx, tenantID, patientID, access.Read)
	if err != nil {
		return nil, err
	}
	recs, err := s.d.Store.ByPatient(ctx, tenantID, patientID, ListLimit)
	if err != nil {
		return nil, err
	}
	recs = slices.DeleteFunc(recs, func(r Record) bool { return !slices.Contains(kinds, r.Kind) })
	return s.openAll(ctx, tenantID, patientID, purpose, recs, "amendment.list")
}

func (s *Service) openAll(ctx context.Context, tenantID, patientID string, purpose access.Purpose, recs []Record, action string) ([]*Amendment, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if len(recs) == 0 {
		return nil, nil
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: access.Read, Purpose: purpose,
		Resource: "amendment", AuditAction: action, Detail: fmt.Sprintf("rows=%d", len(recs))})
	if err != nil {
		return nil, err
	}
	now := s.d.Clock.Now()
	out := make([]*Amendment, 0, len(recs))
	for _, r := range recs {
		a, err := open(h, r, now)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// Get opens one request for the actor in ctx: the patient, a proxy with
// the record's class, or staff who may read that class of the patient
// (clinicians only with a care relationship). Anyone else, another
// tenant's request and an unknown id are the same 404.
func (s *Service) Get(ctx context.Context, tenantID, amendmentID string) (*Amendment, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	r, err := s.d.Store.ByID(ctx, tenantID, amendmentID)
	if err != nil {
		return nil, err
	}
	d, err := s.d.Grants.Authorize(ctx, tenantID, r.PatientID, r.Kind.Class(), access.Read)
	if err != nil {
		return nil, err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{r.PatientID}, Action: access.Read, Purpose: d.Purpose,
		Resource: "amendment", ResourceID: r.ID, AuditAction: "amendment.read"})
	if err != nil {
		return nil, err
	}
	return open(h, r, s.d.Clock.Now())
}

// History opens what travels with a record: its accepted corrections and
// the statements of disagreement filed after a denial, oldest first, for
// anyone who may read the record (checked here, per the record's class).
// A record without any is an empty history, with no vault access.
func (s *Service) History(ctx context.Context, tenantID string, kind Kind, recordID string) ([]*Amendment, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	recs, err := s.d.Store.ByRecord(ctx, tenantID, kind, recordID)
	if err != nil {
		return nil, err
	}
	recs = slices.DeleteFunc(recs, func(r Record) bool { return r.Status != Accepted && !r.Disagreed })
	if len(recs) == 0 {
		return nil, nil
	}
	patientID := recs[0].PatientID
	d, err := s.d.Grants.Authorize(ctx, tenantID, patientID, kind.Class(), access.Read)
	if err != nil {
		return nil, err
	}
	return s.openAll(ctx, tenantID, patientID, d.Purpose, recs, "amendment.history")
}

// Travelling opens what travels with a patient's records of one kind (the
// accepted corrections and the statements of disagreement), oldest first,
// for anyone who may read that kind of the patient: the staff view of a
// patient shows them under the record's section. None is no vault access.
func (s *Service) Travelling(ctx context.Context, tenantID, patientID string, kind Kind) ([]*Amendment, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	d, err := s.d.Grants.Authorize(ctx, tenantID, patientID, kind.Class(), access.Read)
	if err != nil {
		return nil, err
	}
	recs, err := s.d.Store.ByPatient(ctx, tenantID, patientID, ListLimit)
	if err != nil {
		return nil, err
	}
	recs = slices.DeleteFunc(recs, func(r Record) bool { return r.Kind != kind || (r.Status != Accepted && !r.Disagreed) })
	slices.Reverse(recs)
	return s.openAll(ctx, tenantID, patientID, d.Purpose, recs, "amendment.history")
}

// decider checks that the actor in ctx is staff with write access to the
// request's class of its patient, and returns the request and the purpose.
func (s *Service) decider(ctx context.Context, tenantID, amendmentID string) (Record, access.Purpose, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, _ := access.ActorFrom(ctx)
	// Why staff only: a patient holds write access to their own data, but
	// deciding on their own correction is no part of the right; the
	// decision belongs to the staff who answer for the record.
	if a.Role == access.RolePatient || a.IsSystem() {
		return Record{}, "", apperr.NotFoundError()
	}
	r, err := s.d.Store.ByID(ctx, tenantID, amendmentID)
	if err != nil {
		return r, "", err
	}
	d, err := s.d.Grants.Authorize(ctx, tenantID, r.PatientID, r.Kind.Class(), access.Write)
	if err != nil {
		return r, "", err
	}
	return r, d.Purpose, nil
}

// change opens a request's body, applies fn to it and to the record, seals
// it again and stores it if nobody changed it meanwhile: one audited vault
// access (action) for the read and the write.
func (s *Service) change(ctx context.Context, tenantID string, r Record, purpose access.Purpose, action string, fn func(*Record, *Body)) (*Amendment, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{r.PatientID}, Action: access.Write, Purpose: purpose,
		Resource: "amendment", ResourceID: r.ID, AuditAction: action, Detail: "kind=" + string(r.Kind)})
	if err != nil {
		return nil, err
	}
	now := s.d.Clock.Now()
	cur, err := open(h, r, now)
	if err != nil {
		return nil, err
	}
	next, body := r, cur.Body
	fn(&next, &body)
	if next.BodyCT, err = seal(h, next, body); err != nil {
		return nil, err
	}
	if err := s.d.Store.Update(ctx, r, next); err != nil {
		return nil, err
	}
	return view(next, body, now), nil
}

// Corrections returns the accepted corrections of a history by field key:
// what a record's page marks as corrected, with the old value.
func Corrections(history []*Amendment) map[string]*Amendment {
	out := map[string]*Amendment{}
	for _, a := range history {
		if a.Status == Accepted {
			out[a.FieldKey] = a // oldest first: the latest wins
		}
	}
	return out
}

// Decision is a staff member's answer to a request.
type Decision struct {
	Accept bool
	// Reason is required for a denial (the patient reads it); an optional
	// note for an acceptance.
	Reason string
	// Value is, for an acceptance, the corrected value as the record holds
	// it (a lab value as a number); empty takes the patient's proposal.
	Value string
}

// Decide accepts or denies a request waiting for a decision: staff who may
// write the record's class. An accepted correction is written into the
// record (Deps.Apply) and joins the record's history beside the old value.
// Deciding twice is a Conflict.
func (s *Service) Decide(ctx context.Context, tenantID, amendmentID string, dec Decision) (*Amendment, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	r, purpose, err := s.decider(ctx, tenantID, amendmentID)
	if err != nil {
		return nil, err
	}
	if r.Status != Requested {
		return nil, apperr.StaleError()
	}
	fields := map[string]string{}
	reason, key := strings.TrimSpace(dec.Reason), "reason"
	if dec.Accept {
		key = "note" // the accept form's optional note
	}
	if !dec.Accept || reason != "" {
		reason = text(fields, key, dec.Reason, "Give the reason the patient will read.")
	}
	value := ""
	if dec.Accept && s.d.Apply != nil && strings.TrimSpace(dec.Value) != "" {
		value = text(fields, "value", dec.Value, "")
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields("Check the highlighted fields.", fields)
	}
	a, _ := access.ActorFrom(ctx)
	action, status := "amendment.deny", Denied
	if dec.Accept {
		action, status = "amendment.accept", Accepted
	}
	var decided Record
	out, err := s.change(ctx, tenantID, r, purpose, action, func(n *Record, b *Body) {
		n.Status, n.DecidedAt, n.DeciderID = status, s.d.Clock.Now(), a.ID
		b.Decision = reason
		if dec.Accept && s.d.Apply != nil {
			if value == "" {
				value = b.Proposed
			}
			b.Applied = value
		}
		decided = *n
	})
	if err != nil {
		return nil, err
	}
	if dec.Accept && s.d.Apply != nil {
		// Why the request is decided first and the record written second:
		// the request's conditional update lets one decision win, so only
		// the winner writes the record; if the record refuses the value (or
		// changed meanwhile), the request goes back to waiting, so that an
		// acceptance never stands without its correction in the record.
		if err := s.d.Apply(ctx, tenantID, r.Kind, r.RecordID, out.FieldKey, value); err != nil {
			if rerr := s.d.Store.Update(ctx, decided, r); rerr != nil {
				s.d.Log.ErrorContext(ctx, "accepted amendment not reverted after its correction failed", "amendment", r.ID, "err", rerr)
			}
			return nil, err
		}
	}
	s.tell(ctx, tenantID, out)
	return out, nil
}

// Extend takes the one 30-day extension of a request waiting for a
// decision, with a reason the patient reads. A second extension is a
// Conflict with a clear message.
func (s *Service) Extend(ctx context.Context, tenantID, amendmentID, reason string) (*Amendment, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	r, purpose, err := s.decider(ctx, tenantID, amendmentID)
	if err != nil {
		return nil, err
	}
	switch {
	case r.Status != Requested:
		return nil, apperr.StaleError()
	case r.Extended:
		return nil, apperr.New(apperr.Conflict, "This request was extended once already; the rule allows one extension. Decide it by its due date.")
	}
	fields := map[string]string{}
	reason = text(fields, "extension_reason", reason, "Give the reason for the delay; the patient reads it.")
	if len(fields) > 0 {
		return nil, apperr.InvalidFields("Check the highlighted fields.", fields)
	}
	out, err := s.change(ctx, tenantID, r, purpose, "amendment.extend", func(n *Record, b *Body) {
		n.Extended, n.DueAt = true, r.DueAt.Add(Extension)
		b.ExtensionReason = reason
	})
	if err == nil {
		s.tell(ctx, tenantID, out)
	}
	return out, err
}

// Disagree files the patient's statement of disagreement with a denial
// (the patient, or a proxy with the record's class): once, after which it
// travels with the record.
func (s *Service) Disagree(ctx context.Context, tenantID, amendmentID, statement string) (*Amendment, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, _ := access.ActorFrom(ctx)
	if a.Role != access.RolePatient {
		return nil, apperr.NotFoundError()
	}
	r, err := s.d.Store.ByID(ctx, tenantID, amendmentID)
	if err != nil {
		return nil, err
	}
	d, err := s.d.Grants.Authorize(ctx, tenantID, r.PatientID, r.Kind.Class(), access.Write)
	if err != nil {
		return nil, err
	}
	switch {
	case r.Status != Denied:
		return nil, apperr.New(apperr.Conflict, "A statement of disagreement can follow a denial only.")
	case r.Disagreed:
		return nil, apperr.New(apperr.Conflict, "A statement of disagreement is on file already.")
	}
	fields := map[string]string{}
	statement = text(fields, "statement", statement, "Write your statement.")
	if len(fields) > 0 {
		return nil, apperr.InvalidFields("Check the highlighted fields.", fields)
	}
	return s.change(ctx, tenantID, r, d.Purpose, "amendment.disagree", func(n *Record, b *Body) {
		n.Disagreed = true
		b.Disagreement, b.DisagreedAt = statement, s.d.Clock.Now()
	})
}

// Row is a request as a queue or the compliance clock lists it: no text,
// only the kind and the clock.
type Row struct {
	ID, PatientID      string
	Kind               Kind
	RequestedAt, DueAt time.Time
	Extended, Overdue  bool
	DaysLeft           int
}

func row(r Record, now time.Time) Row {
	return Row{ID: r.ID, PatientID: r.PatientID, Kind: r.Kind, RequestedAt: r.RequestedAt, DueAt: r.DueAt, Extended: r.Extended,
		Overdue: now.After(r.DueAt), DaysLeft: int(r.DueAt.Sub(now).Hours() / 24)}
}

// QueueLimit is the most requests a queue or the clock lists.
const QueueLimit = 500

// Queue lists the requests the staff member in ctx may decide: of the
// kinds whose class their role writes, and of patients they may write
// (clinicians: their care relationships), the earliest due first. No text
// is opened; each patient is one decision.
func (s *Service) Queue(ctx context.Context, tenantID string) ([]Row, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, _ := access.ActorFrom(ctx)
	if a.Role == access.RolePatient || a.IsSystem() {
		return nil, apperr.NotFoundError()
	}
	var kinds []Kind
	for _, k := range Kinds {
		if access.Decide(a, access.Request{TenantID: tenantID, PatientID: "*", Class: k.Class(), Action: access.Write},
			access.Facts{Care: true}, s.d.Clock.Now()).Allowed {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return nil, nil
	}
	recs, err := s.d.Store.Open(ctx, tenantID, kinds, QueueLimit)
	if err != nil {
		return nil, err
	}
	now := s.d.Clock.Now()
	allowed := map[string]bool{}
	var out []Row
	for _, r := range recs {
		key := r.PatientID + "/" + string(r.Kind.Class())
		ok, seen := allowed[key]
		if !seen {
			_, err := s.d.Grants.Authorize(ctx, tenantID, r.PatientID, r.Kind.Class(), access.Write)
			switch {
			case err == nil:
				ok = true
			case apperr.Is(err, apperr.NotFound), apperr.Is(err, apperr.Denied):
			default:
				return nil, err
			}
			allowed[key] = ok
		}
		if ok {
			out = append(out, row(r, now))
		}
	}
	return out, nil
}

// Clock lists every request of the tenant waiting for a decision, the
// earliest due first, with what is overdue: the compliance officer's (and
// an admin's) view. Why they may: it holds no text and no name, only the
// kind and the clock, which is audit metadata; reading it is audited.
func (s *Service) Clock(ctx context.Context, tenantID string) ([]Row, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, _ := access.ActorFrom(ctx)
	if a.TenantID != tenantID || (a.Role != access.RoleCompliance && a.Role != access.RoleAdmin) {
		return nil, apperr.NotFoundError()
	}
	recs, err := s.d.Store.Open(ctx, tenantID, nil, QueueLimit)
	if err != nil {
		return nil, err
	}
	if err := s.d.Audit.Append(ctx, audit.Entry{Time: s.d.Clock.Now(), ActorID: a.ID, ActorRole: a.Role, TenantID: tenantID,
		Action: "amendment.clock", ResourceType: "amendment", Purpose: access.PurposeCompliance, Outcome: audit.Allowed,
		Detail: fmt.Sprintf("rows=%d", len(recs))}); err != nil {
		return nil, apperr.Wrap(err, apperr.Unavailable, "Salve cannot record this right now, so it was not shown. Try again in a minute.")
	}
	now := s.d.Clock.Now()
	out := make([]Row, 0, len(recs))
	for _, r := range recs {
		out = append(out, row(r, now))
	}
	return out, nil
}
