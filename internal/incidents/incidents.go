// Package incidents is the incident register and breach notification of
// 45 CFR 164.400–414 (issue 19, item 7): an incident with its discovery
// date, description, the systems and data classes involved; the people
// affected, selected by a typed query of the audit log (never free SQL) and
// kept sealed; the four-factor risk assessment of 164.402(2) and its
// conclusion; for a breach, the 60-day clock from discovery and the
// thresholds (more than 500 residents of a state: media notice; 500 or more
// in all: HHS within 60 days; fewer: the yearly HHS log); the individual
// notice letters with the content 164.404(c) requires, as a PDF per person
// made when asked for (never stored in the clear) and in the patient's
// portal, with an email that says only "an important notice about your
// information — sign in"; and the HHS log as CSV, without names.
//
// Only the compliance officer works here (every method checks it, whatever
// surface calls): an investigation may concern an admin's own account.
package incidents

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strconv"
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

// DateLayout is how discovery dates are written and kept: a day.
const DateLayout = "2006-01-02"

// Status is where an incident stands.
type Status string

// The statuses: open while it is investigated or notices are due; closed
// when the compliance officer closes it.
const (
	Open   Status = "open"
	Closed Status = "closed"
)

// Conclusion is the outcome of the risk assessment (164.402(2)).
type Conclusion string

// The conclusions: none yet, a breach (notify), or a low probability that
// the PHI has been compromised (no notification; the assessment is kept as
// the proof 164.414(b) asks for).
const (
	Undecided      Conclusion = ""
	Breach         Conclusion = "breach"
	LowProbability Conclusion = "low_probability"
)

// Systems are the systems an incident may involve (a fixed list, so that
// the HHS log's "location of breached information" is one of its values).
var Systems = []string{"portal", "storefront", "email", "backups", "paper", "laptop or device", "network server", "other"}

// DataClasses are the kinds of information an incident may involve.
var DataClasses = []string{"names", "contact details", "dates of birth", "orders", "prescriptions", "lab results",
	"appointments", "messages", "device readings", "insurance", "payment references"}

// BreachTypes are the HHS breach portal's types of breach.
var BreachTypes = []string{"unauthorized access or disclosure", "hacking or IT incident", "theft", "loss", "improper disposal", "other"}

// Incident is one entry of the register. Its text is about the incident,
// never about one person; who was affected is sealed (Affected).
type Incident struct {
	ID, TenantID string
	Title        string
	DiscoveredOn string // DateLayout
	Description  string
	Systems      []string
	DataClasses  []string
	BreachType   string
	Status       Status
	// Selection says how the people affected were chosen, in words with
	// ids only ("read by account 01H… from … to …").
	Selection     string
	AffectedCount int
	// ByState counts the people affected by state of residence; "" is
	// not on file.
	ByState    map[string]int
	Assessment Assessment
	Letter     Letter
	NotifiedAt time.Time
	ClosedAt   time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Assessment is the four-factor risk assessment of 164.402(2).
type Assessment struct {
	// Nature is the nature and extent of the PHI involved (types of
	// identifiers, likelihood of re-identification).
	Nature string
	// Recipient is the unauthorized person who used the PHI or to whom it
	// was disclosed.
	Recipient string
	// Acquired says whether the PHI was actually acquired or viewed.
	Acquired string
	// Mitigation is the extent to which the risk has been mitigated.
	Mitigation string
	Conclusion Conclusion
	AssessedAt time.Time
}

// Letter is the individual notice's content, as 164.404(c)(1) lists it.
type Letter struct {
	// WhatHappened: a brief description, with the date of the breach and
	// of its discovery (the dates are added from the incident).
	WhatHappened string `json:"what_happened"`
	// Information: the types of unsecured PHI involved.
	Information string `json:"information"`
	// Steps: what individuals should do to protect themselves.
	Steps string `json:"steps"`
	// Doing: what the entity is doing to investigate, mitigate and protect
	// against further breaches.
	Doing string `json:"doing"`
	// Contact: how to ask questions (a toll-free number, an email address,
	// a web site or a postal address).
	Contact string `json:"contact"`
}

// Complete reports whether every part of the letter is written.
func (l Letter) Complete() bool {
	return strings.TrimSpace(l.WhatHappened) != "" && strings.TrimSpace(l.Information) != "" && strings.TrimSpace(l.Steps) != "" &&
		strings.TrimSpace(l.Doing) != "" && strings.TrimSpace(l.Contact) != ""
}

// Person is one person affected: their account id and state of residence
// ("" when not on file). The list of them is PHI.
type Person struct {
	ID    string `json:"id"`
	State string `json:"state,omitempty"`
}

// Notice is one person's notice as their portal shows it.
type Notice struct {
	ID, IncidentID string
	DiscoveredOn   string
	Letter         Letter
	At             time.Time
}

// Store is the register's storage in the PHI store (internal/store.Incidents).
type Store interface {
	List(ctx context.Context, tenantID string) ([]Incident, error)
	// ByID returns a tenant's incident; apperr NotFound when it has none such.
	ByID(ctx context.Context, tenantID, id string) (Incident, error)
	Insert(ctx context.Context, in Incident) error
	// Update saves everything but the sealed list.
	Update(ctx context.Context, in Incident) error
	// SetAffected keeps the sealed list, its count, the counts by state and
	// how it was selected.
	SetAffected(ctx context.Context, tenantID, id string, ct []byte, count int, byState map[string]int, selection string, at time.Time) error
	Affected(ctx context.Context, tenantID, id string) ([]byte, error)
	// AddNotice records a person's notice; false when they already have
	// one for the incident.
	AddNotice(ctx context.Context, n Notice, tenantID, patientID string) (bool, error)
	// Notices lists a person's notices, newest first.
	Notices(ctx context.Context, tenantID, patientID string) ([]Notice, error)
	// CountOpen counts a tenant's open incidents.
	CountOpen(ctx context.Context, tenantID string) (int, error)
}

// Events is the audit log as the selection reads it.
type Events interface {
	Find(ctx context.Context, q audit.Query) ([]audit.Record, error)
}

// Outbox queues email.
type Outbox interface {
	Enqueue(ctx context.Context, tenantID, subjectID string, kind notify.Kind, m notify.Message) error
}

// Deps are what the service works with.
type Deps struct {
	Store  Store
	Vault  phi.Vault
	Audit  audit.Appender
	Events Events
	Outbox Outbox
	// Contacts returns a person's email address (audited by its service).
	Contacts func(ctx context.Context, tenantID, userID string) (string, error)
	// Names returns a person's name for their letter (audited by its
	// service).
	Names func(ctx context.Context, tenantID, userID string) (string, error)
	// Patient reports whether an account is a patient's: staff whose own
	// records appear in the audit log are not "affected" by a read of them
	// as staff.
	Patient func(ctx context.Context, tenantID, userID string) (bool, error)
	// Residence returns a person's state of residence (a two-letter code),
	// "" when not on file; nil: none is on file.
	Residence func(ctx context.Context, tenantID, userID string) (string, error)
	// Links returns the tenant's brand and site address.
	Links func(ctx context.Context, tenantID string) (brand, baseURL string)
	Clock clock.Clock
	Log   *slog.Logger
}

// Service keeps the register.
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

// Now is the service's clock, for the pages' deadlines.
func (s *Service) Now() time.Time { return s.d.Clock.Now() }

// officer checks that the actor is the tenant's compliance officer. Why only
// that role, here and on the routes: an investigation may concern an
// admin's or any other staff member's own access, and the list of people
// affected is PHI needed by nobody else.
func officer(ctx context.Context, tenantID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.TenantID != tenantID || a.Role != access.RoleCompliance {
		return apperr.DeniedError(errors.New("incidents: the compliance officer only"))
	}
	return nil
}

// event records a step. Why fail closed: a step of an investigation or a
// notification that cannot be recorded must not happen.
func (s *Service) event(ctx context.Context, e audit.Entry) error {
	if e.Purpose == "" {
		e.Purpose = access.PurposeCompliance
	}
	if e.ResourceType == "" {
		e.ResourceType = "incident"
	}
	if err := s.d.Audit.Append(ctx, e); err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "Salve cannot record this right now, so it was not done. Try again in a minute.")
	}
	return nil
}

// Input is an incident as the form sends it.
type Input struct {
	Title, DiscoveredOn, Description, BreachType string
	Systems, DataClasses                         []string
}

func textField(fields map[string]string, key, v, what string, limit int) {
	switch {
	case strings.TrimSpace(v) == "":
		fields[key] = "Enter " + what + "."
	case utf8.RuneCountInString(v) > limit:
		fields[key] = "Keep this under " + itoa(limit) + " characters."
	}
}

func (in Input) check(now time.Time) error {
	fields := map[string]string{}
	textField(fields, "title", in.Title, "a short title", 200)
	textField(fields, "description", in.Description, "what happened", 4000)
	if d, err := time.Parse(DateLayout, in.DiscoveredOn); err != nil {
		fields["discovered_on"] = "Enter the date as YYYY-MM-DD."
	} else if d.After(now) {
		fields["discovered_on"] = "The discovery date cannot be in the future."
	}
	if in.BreachType != "" && !slices.Contains(BreachTypes, in.BreachType) {
		fields["breach_type"] = "Choose one of the types listed."
	}
	if len(in.Systems) == 0 {
		fields["systems"] = "Tick the systems involved."
	}
	for _, x := range in.Systems {
		if !slices.Contains(Systems, x) {
			fields["systems"] = "Tick systems from the list."
		}
	}
	for _, x := range in.DataClasses {
		if !slices.Contains(DataClasses, x) {
			fields["data_classes"] = "Tick data classes from the list."
		}
	}
	if len(fields) > 0 {
		return apperr.InvalidFields("Check the highlighted fields; nothing was saved.", fields)
	}
	return nil
}

// Create registers an incident. Bad input changes nothing.
func (s *Service) Create(ctx context.Context, tenantID string, in Input) (Incident, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := officer(ctx, tenantID); err != nil {
		return Incident{}, err
	}
	in.Title, in.Description, in.DiscoveredOn = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description), strings.TrimSpace(in.DiscoveredOn)
	now := s.d.Clock.Now()
	if err := in.check(now); err != nil {
		return Incident{}, err
	}
	inc := Incident{ID: id.NewAt(now), TenantID: tenantID, Title: in.Title, DiscoveredOn: in.DiscoveredOn, Description: in.Description,
		Systems: in.Systems, DataClasses: in.DataClasses, BreachType: in.BreachType, Status: Open, ByState: map[string]int{},
		CreatedAt: now, UpdatedAt: now}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Action: "incident.create", ResourceID: inc.ID, Severity: audit.High,
		Detail: "discovered=" + inc.DiscoveredOn}); err != nil {
		return Incident{}, err
	}
	return inc, s.d.Store.Insert(ctx, inc)
}

// List returns the register, newest discovery first.
func (s *Service) List(ctx context.Context, tenantID string) ([]Incident, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := officer(ctx, tenantID); err != nil {
		return nil, err
	}
	return s.d.Store.List(ctx, tenantID)
}

// Get returns one incident.
func (s *Service) Get(ctx context.Context, tenantID, incidentID string) (Incident, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := officer(ctx, tenantID); err != nil {
		return Incident{}, err
	}
	return s.d.Store.ByID(ctx, tenantID, incidentID)
}

// CountOpen counts a tenant's open incidents, for the compliance report
// (a count, no details: admins see the report too).
func (s *Service) CountOpen(ctx context.Context, tenantID string) (int, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.d.Store.CountOpen(ctx, tenantID)
}

// Assess records the four-factor risk assessment and its conclusion. Every
// factor must be answered: the assessment is the record that shows a low
// probability of compromise (164.414(b)).
func (s *Service) Assess(ctx context.Context, tenantID, incidentID string, a Assessment) (Incident, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	inc, err := s.Get(ctx, tenantID, incidentID)
	if err != nil {
		return Incident{}, err
	}
	fields := map[string]string{}
	textField(fields, "nature", a.Nature, "the nature and extent of the information involved", 4000)
	textField(fields, "recipient", a.Recipient, "who used or received the information", 4000)
	textField(fields, "acquired", a.Acquired, "whether it was actually acquired or viewed", 4000)
	textField(fields, "mitigation", a.Mitigation, "how far the risk has been mitigated", 4000)
	if a.Conclusion != Breach && a.Conclusion != LowProbability {
		fields["conclusion"] = "Choose the conclusion."
	}
	if !inc.NotifiedAt.IsZero() && a.Conclusion != Breach {
		fields["conclusion"] = "Notices were sent for this breach; the conclusion stays a breach."
	}
	if len(fields) > 0 {
		return inc, apperr.InvalidFields("Check the highlighted fields; nothing was saved.", fields)
	}
	now := s.d.Clock.Now()
	a.AssessedAt = now
	inc.Assessment, inc.UpdatedAt = trimAssessment(a), now
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Action: "incident.assess", ResourceID: inc.ID, Severity: audit.High,
		Detail: "conclusion=" + string(a.Conclusion)}); err != nil {
		return Incident{}, err
	}
	return inc, s.d.Store.Update(ctx, inc)
}

func trimAssessment(a Assessment) Assessment {
	a.Nature, a.Recipient = strings.TrimSpace(a.Nature), strings.TrimSpace(a.Recipient)
	a.Acquired, a.Mitigation = strings.TrimSpace(a.Acquired), strings.TrimSpace(a.Mitigation)
	return a
}

// SetLetter saves the notice letter's text. Why the whole letter is
// required at once: a notice missing one of 164.404(c)'s elements is not a
// notice.
func (s *Service) SetLetter(ctx context.Context, tenantID, incidentID string, l Letter) (Incident, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	inc, err := s.Get(ctx, tenantID, incidentID)
	if err != nil {
		return Incident{}, err
	}
	fields := map[string]string{}
	textField(fields, "what_happened", l.WhatHappened, "what happened", 4000)
	textField(fields, "information", l.Information, "what information was involved", 4000)
	textField(fields, "steps", l.Steps, "what people should do", 4000)
	textField(fields, "doing", l.Doing, "what you are doing about it", 4000)
	textField(fields, "contact", l.Contact, "how to reach you", 1000)
	if len(fields) > 0 {
		return inc, apperr.InvalidFields("Check the highlighted fields; nothing was saved.", fields)
	}
	if !inc.NotifiedAt.IsZero() {
		return inc, apperr.InvalidFields("The notices were sent; their text stays as sent.", map[string]string{"what_happened": "Already sent."})
	}
	inc.Letter = Letter{WhatHappened: strings.TrimSpace(l.WhatHappened), Information: strings.TrimSpace(l.Information),
		Steps: strings.TrimSpace(l.Steps), Doing: strings.TrimSpace(l.Doing), Contact: strings.TrimSpace(l.Contact)}
	inc.UpdatedAt = s.d.Clock.Now()
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Action: "incident.letter", ResourceID: inc.ID}); err != nil {
		return Incident{}, err
	}
	return inc, s.d.Store.Update(ctx, inc)
}

// Close closes an incident. A breach whose notices are not sent stays
// open: its clock is still running.
func (s *Service) Close(ctx context.Context, tenantID, incidentID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	inc, err := s.Get(ctx, tenantID, incidentID)
	if err != nil {
		return err
	}
	switch {
	case inc.Status == Closed:
		return nil
	case inc.Assessment.Conclusion == Undecided:
		return apperr.InvalidFields("Record the risk assessment before closing the incident.", map[string]string{"close": "Assess it first."})
	case inc.Assessment.Conclusion == Breach && inc.NotifiedAt.IsZero() && inc.AffectedCount > 0:
		return apperr.InvalidFields("Send the notices before closing this breach.", map[string]string{"close": "Notices not sent."})
	}
	now := s.d.Clock.Now()
	inc.Status, inc.ClosedAt, inc.UpdatedAt = Closed, now, now
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Action: "incident.close", ResourceID: inc.ID, Severity: audit.High}); err != nil {
		return err
	}
	return s.d.Store.Update(ctx, inc)
}

func itoa(n int) string { return strconv.Itoa(n) }
