// Package labs is lab results: reports (a panel of observations, each a
// LOINC-coded test with its value, UCUM unit, reference range, critical range
// and the flag computed from them) that a clinician enters or imports as a
// FHIR R4 bundle, holds until released (by a clinician, or by the tenant's
// automatic release delay), and that the patient then reads with a trend per
// test. A report is PHI: its panel and observations are sealed by the vault
// under the patient; the store sees only who, when and in which state.
//
// Who enters results: clinicians only (the role with the clinical write
// class, and a care relationship with the patient). Why no lab technician
// role: results from a laboratory arrive as FHIR bundles from its system,
// imported by a clinician through the API or by the operator with `salve labs
// import`; a person who keys in results without reading records would need a
// "write without read" rule the policy does not have, and an extra role with
// clinical write access widens who can change a record for no present need.
//
// A critical value alerts the ordering clinician: an email with no PHI
// through the outbox, and an item on their results page until they
// acknowledge it.
package labs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// Status is where a report is: held for a clinician's review, or released
// to the patient.
type Status string

// The statuses.
const (
	Held     Status = "held"
	Released Status = "released"
)

// MaxObservations is the most observations one report holds.
const MaxObservations = 50

// MaxReleaseDelay is the longest automatic release delay a tenant may set.
const MaxReleaseDelay = 30 * 24 * time.Hour

// Details is the sealed part of a report.
type Details struct {
	Panel        string        `json:"panel"`
	CollectedAt  time.Time     `json:"collected_at"`
	Observations []Observation `json:"observations"`
}

// Record is a report as the PHI store keeps it: Details sealed under the
// patient (DetailsCT), and in the clear only what finds and moves reports.
type Record struct {
	ID, TenantID, PatientID string
	// ClinicianID is the ordering clinician: alerted on a critical value.
	ClinicianID string
	Status      Status
	// Attention is set while a critical value waits for the ordering
	// clinician's acknowledgement. Why in the clear: the clinician's page
	// and the alert count need it without opening every report; it says
	// that a report needs a look, not what is in it.
	Attention bool
	CreatedAt time.Time
	// ReleaseAt is when a held report is released automatically; zero for
	// never (the tenant set no delay).
	ReleaseAt  time.Time
	ReleasedAt time.Time
	// SeenAt is when the patient first opened it; zero marks it new.
	SeenAt    time.Time
	DetailsCT []byte
}

// Report is a report opened for someone allowed to see it.
type Report struct {
	ID, PatientID, ClinicianID string
	Status                     Status
	Attention                  bool
	CreatedAt, ReleasedAt      time.Time
	ReleaseAt                  time.Time
	New                        bool
	Details
}

// Flags counts the observations out of range.
func (r *Report) Flags() (low, high, critical int) {
	for _, o := range r.Observations {
		switch o.Flag {
		case Low:
			low++
		case High:
			high++
		case Critical:
			critical++
		}
	}
	return
}

// Worst is the most severe flag of the report.
func (r *Report) Worst() Flag {
	w := Normal
	for _, o := range r.Observations {
		switch {
		case o.Flag == Critical:
			return Critical
		case o.Flag != Normal:
			w = o.Flag
		}
	}
	return w
}

// Store keeps reports in the PHI store (internal/store.Labs).
type Store interface {
	// Insert stores reports, all or none, in one transaction.
	Insert(ctx context.Context, recs []Record) error
	// ByID returns a report of a tenant, or NotFound.
	ByID(ctx context.Context, tenantID, reportID string) (Record, error)
	// Released returns a patient's released reports, newest first, at most
	// limit, with how many there are in all and how many are new (never
	// opened): one statement.
	Released(ctx context.Context, tenantID, patientID string, limit int) ([]Record, int, int, error)
	// ByClinician returns the reports a clinician ordered, those needing
	// attention first, then held, then newest, at most limit.
	ByClinician(ctx context.Context, tenantID, clinicianID string, limit int) ([]Record, error)
	// Release moves a held report to released; a Conflict (apperr.ErrStale)
	// when it is not held.
	Release(ctx context.Context, tenantID, reportID string, now time.Time) error
	// ReleaseDue releases every held report whose release time has come, in
	// every tenant, at most limit, and returns them.
	ReleaseDue(ctx context.Context, now time.Time, limit int) ([]Record, error)
	// MarkSeen records the patient's first opening of a report.
	MarkSeen(ctx context.Context, tenantID, reportID string, now time.Time) error
	// Acknowledge clears a report's attention flag for its clinician;
	// NotFound when the report is not theirs or needs no attention.
	Acknowledge(ctx context.Context, tenantID, reportID, clinicianID string) error
	// AttentionCount counts a clinician's reports needing attention.
	AttentionCount(ctx context.Context, tenantID, clinicianID string) (int, error)
	// ReleaseDelay is a tenant's automatic release delay; 0 for never.
	ReleaseDelay(ctx context.Context, tenantID string) (time.Duration, error)
	// SetReleaseDelay sets it.
	SetReleaseDelay(ctx context.Context, tenantID string, d time.Duration, now time.Time) error
	// Correct re-writes a report's sealed details (an accepted amendment)
	// if they are still prev; a Conflict (apperr.ErrStale) otherwise.
	Correct(ctx context.Context, tenantID, reportID string, prev, next []byte) error
}

// Authorizer decides access to a patient's data (grants.Service.Authorize):
// a denial is audited and is the same 404 as a missing record.
type Authorizer interface {
	Authorize(ctx context.Context, tenantID, patientID string, class access.DataClass, act access.Action) (access.Decision, error)
}

// Enqueuer queues an email (internal/outbox).
type Enqueuer interface {
	Enqueue(ctx context.Context, tenantID, subjectID string, kind notify.Kind, m notify.Message) error
}

// Deps are what the service is built on; server wires them.
type Deps struct {
	Store  Store
	Grants Authorizer
	Vault  phi.Vault
	Audit  audit.Appender
	Outbox Enqueuer
	// Contacts opens a staff member's email address (accounts.Service.Email),
	// for the critical alert.
	Contacts func(ctx context.Context, tenantID, userID string) (string, error)
	// Role returns a person's role in a tenant; NotFound when there is no
	// such person (a report's patient and clinician are checked with it).
	Role func(ctx context.Context, tenantID, userID string) (access.Role, error)
	// Links names a tenant's site and its address, for the alert's link.
	Links func(ctx context.Context, tenantID string) (brand, baseURL string)
	// Released, if set, is told of each report released to its patient
	// (the outgoing webhooks' result.released), with ids only.
	Released func(ctx context.Context, tenantID, reportID, patientID string)
	Clock    clock.Clock
	Log      *slog.Logger
}

// released tells Deps.Released of a release.
func (s *Service) released(ctx context.Context, r Record) {
	ctx = tenant.WithScope(ctx, r.TenantID)
	if s.d.Released != nil {
		s.d.Released(ctx, r.TenantID, r.ID, r.PatientID)
	}
}

// Service enters, releases and shows lab reports.
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
	return &Service{d: d}
}

// Entry is a report to enter, as typed or imported.
type Entry struct {
	PatientID, ClinicianID string
	Panel                  string
	CollectedAt            time.Time
	Observations           []Observation
	// Release releases it at once (a clinician entering and releasing in
	// one step); otherwise it is held.
	Release bool
	// ReceivedAt, when set and not in the future, is when the report came
	// in (a history imported at once, the demo's two years); the report
	// lists in that order. Zero: now.
	ReceivedAt time.Time
	// Seen marks a released report as already opened by the patient (a
	// history imported at once); otherwise it is new.
	Seen bool
}

// check validates an entry; field keys are prefix + "panel", "obs.N.unit"...
func (e *Entry) check(prefix string, now time.Time, fields map[string]string) {
	e.Panel = strings.TrimSpace(e.Panel)
	if e.Panel == "" {
		fields[prefix+"panel"] = "Name the panel, such as Lipid panel."
	} else if utf8.RuneCountInString(e.Panel) > 120 || strings.ContainsAny(e.Panel, "\r\n\x00") {
		fields[prefix+"panel"] = "This is too long."
	}
	switch {
	case e.CollectedAt.IsZero():
		fields[prefix+"collected"] = "Enter when the sample was collected."
	case e.CollectedAt.After(now.Add(time.Hour)):
		fields[prefix+"collected"] = "The collection time is in the future."
	}
	switch {
	case len(e.Observations) == 0:
		fields[prefix+"observations"] = "Enter at least one result."
	case len(e.Observations) > MaxObservations:
		fields[prefix+"observations"] = fmt.Sprintf("A report holds at most %d results.", MaxObservations)
	}
	for i := range e.Observations {
		e.Observations[i].check(fmt.Sprintf("%sobs.%d.", prefix, i), fields)
	}
}

// Enter checks and stores one report. See Import.
func (s *Service) Enter(ctx context.Context, tenantID string, e Entry) (string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	ids, err := s.enter(ctx, tenantID, []Entry{e}, func(i int) string { return "" })
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// EnterAll checks and stores several reports at once, all or nothing: one
// audited vault access and one transaction for them all (a history, the
// demo's data). Field errors are keyed "report[N].field".
func (s *Service) EnterAll(ctx context.Context, tenantID string, entries []Entry) ([]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.enter(ctx, tenantID, entries, func(i int) string { return "report[" + strconv.Itoa(i) + "]." })
}

// enter validates every entry (field keys prefixed by prefix(i)), then
// authorizes, seals and stores them all in one transaction: all or nothing.
func (s *Service) enter(ctx context.Context, tenantID string, entries []Entry, prefix func(int) string) ([]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	now := s.d.Clock.Now()
	fields := map[string]string{}
	for i := range entries {
		entries[i].check(prefix(i), now, fields)
	}
	if len(fields) > 0 {
		return nil, invalid(fields)
	}
	a, _ := access.ActorFrom(ctx)
	var purpose access.Purpose
	var subjects []string
	for i, e := range entries {
		if e.ClinicianID == "" && a.Role == access.RoleClinician {
			entries[i].ClinicianID = a.ID
		}
		if err := s.person(ctx, tenantID, e.PatientID, access.RolePatient); err != nil {
			return nil, err
		}
		if err := s.person(ctx, tenantID, entries[i].ClinicianID, access.RoleClinician); err != nil {
			return nil, apperr.InvalidFields("The ordering clinician is not a clinician here.", map[string]string{prefix(i) + "clinician": "Name a clinician of this organisation."})
		}
		if slices.Contains(subjects, e.PatientID) {
			continue
		}
		// Why per patient: each is its own decision (a care relationship
		// with this patient), audited on denial.
		d, err := s.d.Grants.Authorize(ctx, tenantID, e.PatientID, access.DataClinical, access.Write)
		if err != nil {
			return nil, err
		}
		purpose = d.Purpose
		subjects = append(subjects, e.PatientID)
	}
	delay, err := s.d.Store.ReleaseDelay(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: subjects, Action: access.Write, Purpose: purpose,
		Resource: "lab_report", AuditAction: "lab_report.create", Detail: fmt.Sprintf("reports=%d", len(entries))})
	if err != nil {
		return nil, err
	}
	recs := make([]Record, 0, len(entries))
	for _, e := range entries {
		at := now
		if !e.ReceivedAt.IsZero() && e.ReceivedAt.Before(now) {
			at = e.ReceivedAt.UTC()
		}
		r := Record{ID: id.NewAt(at), TenantID: tenantID, PatientID: e.PatientID, ClinicianID: e.ClinicianID, Status: Held, CreatedAt: at}
		if e.Release {
			r.Status, r.ReleasedAt = Released, at
			if e.Seen {
				r.SeenAt = at
			}
		} else if delay > 0 {
			r.ReleaseAt = now.Add(delay)
		}
		det := Details{Panel: e.Panel, CollectedAt: e.CollectedAt.UTC(), Observations: e.Observations}
		for i := range det.Observations {
			det.Observations[i].ID = id.New()
			if det.Observations[i].Flag == Critical {
				r.Attention = true
			}
		}
		body, err := json.Marshal(det)
		if err != nil {
			return nil, fmt.Errorf("lab report: %w", err)
		}
		if r.DetailsCT, err = h.SealBytes(r.PatientID, "lab_reports", "details_ct", r.ID, body); err != nil {
			return nil, err
		}
		recs = append(recs, r)
	}
	if err := s.d.Store.Insert(ctx, recs); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(recs))
	for _, r := range recs {
		out = append(out, r.ID)
		if r.Attention {
			s.alert(ctx, tenantID, r)
		}
		if r.Status == Released {
			s.released(ctx, r)
		}
	}
	return out, nil
}

// person checks that userID is a person of the role in the tenant.
func (s *Service) person(ctx context.Context, tenantID, userID string, role access.Role) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if userID == "" || s.d.Role == nil {
		return apperr.NotFoundError()
	}
	r, err := s.d.Role(ctx, tenantID, userID)
	if err != nil {
		return err
	}
	if r != role {
		return apperr.NotFoundError()
	}
	return nil
}

// alert queues the critical-result email to the ordering clinician: the
// brand and a link to their results page, nothing of the patient or the
// value (no PHI in email). A failure is logged with ids only: the report is
// stored, and the clinician's page shows it needs attention either way.
func (s *Service) alert(ctx context.Context, tenantID string, r Record) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.d.Outbox == nil || s.d.Contacts == nil || s.d.Links == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	to, err := s.d.Contacts(ctx, tenantID, r.ClinicianID)
	if err == nil {
		brand, base := s.d.Links(ctx, tenantID)
		var m notify.Message
		if m, err = notify.Compose(notify.LabAttention, to, notify.Params{Brand: brand, Link: base + "/staff/results"}); err == nil {
			err = s.d.Outbox.Enqueue(ctx, tenantID, r.ClinicianID, notify.LabAttention, m)
		}
	}
	if err != nil {
		s.d.Log.WarnContext(ctx, "critical lab result alert not queued", "report", r.ID, "err", err)
	}
}

// open decrypts a report with a handle that covers its patient.
func open(h phi.Handle, r Record) (*Report, error) {
	body, err := h.OpenBytes(r.PatientID, "lab_reports", "details_ct", r.ID, r.DetailsCT)
	if err != nil {
		return nil, err
	}
	rep := &Report{ID: r.ID, PatientID: r.PatientID, ClinicianID: r.ClinicianID, Status: r.Status, Attention: r.Attention,
		CreatedAt: r.CreatedAt, ReleasedAt: r.ReleasedAt, ReleaseAt: r.ReleaseAt, New: r.Status == Released && r.SeenAt.IsZero()}
	if err := phi.DecodeJSON(body.Reveal(), &rep.Details); err != nil {
		return nil, fmt.Errorf("lab report %s: %w", r.ID, err)
	}
	return rep, nil
}

// Get opens one report for the actor in ctx. A patient (or their proxy with
// the clinical scope) sees it only once released; a held report is the same
// 404 as a missing one. When the patient themselves opens it, it is no
// longer new.
func (s *Service) Get(ctx context.Context, tenantID, reportID string) (*Report, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	r, err := s.d.Store.ByID(ctx, tenantID, reportID)
	if err != nil {
		return nil, err
	}
	d, err := s.d.Grants.Authorize(ctx, tenantID, r.PatientID, access.DataClinical, access.Read)
	if err != nil {
		return nil, err
	}
	a, _ := access.ActorFrom(ctx)
	// Why held reports are hidden from patients and proxies: a result waits
	// for the clinician who can explain it (or the tenant's delay).
	if a.Role == access.RolePatient && r.Status != Released {
		return nil, apperr.NotFoundError()
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{r.PatientID}, Action: access.Read,
		Purpose: d.Purpose, Resource: "lab_report", ResourceID: r.ID, AuditAction: "lab_report.read"})
	if err != nil {
		return nil, err
	}
	rep, err := open(h, r)
	if err != nil {
		return nil, err
	}
	if a.ID == r.PatientID && r.SeenAt.IsZero() {
		if err := s.d.Store.MarkSeen(ctx, tenantID, r.ID, s.d.Clock.Now()); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// ListLimit is the most reports a list shows.
const ListLimit = 200

// List opens a patient's released reports, newest first, for the actor in
// ctx (the patient, a proxy with the clinical scope, a clinician with a care
// relationship): one statement and one audited vault access for all rows.
func (s *Service) List(ctx context.Context, tenantID, patientID string, limit int) ([]*Report, int, int, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	recs, h, total, fresh, err := s.latestReleased(ctx, tenantID, patientID, limit)
	if err != nil || len(recs) == 0 {
		return nil, total, fresh, err
	}
	out := make([]*Report, 0, len(recs))
	for _, r := range recs {
		rep, err := open(h, r)
		if err != nil {
			return nil, 0, 0, err
		}
		out = append(out, rep)
	}
	return out, total, fresh, nil
}

// latestReleased authorizes reading the patient's reports, reads the latest
// released ones with their count and new count, and opens one audited vault
// access for them all (none when there are none): what List and the widget
// share. Plaintext comes only through the returned handle, after the audit.
func (s *Service) latestReleased(ctx context.Context, tenantID, patientID string, limit int) ([]Record, phi.Handle, int, int, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	d, err := s.d.Grants.Authorize(ctx, tenantID, patientID, access.DataClinical, access.Read)
	if err != nil {
		return nil, nil, 0, 0, err
	}
	recs, total, fresh, err := s.d.Store.Released(ctx, tenantID, patientID, limit)
	if err != nil || len(recs) == 0 {
		return nil, nil, total, fresh, err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: access.Read,
		Purpose: d.Purpose, Resource: "lab_report", AuditAction: "lab_report.list", Detail: fmt.Sprintf("rows=%d", len(recs))})
	if err != nil {
		return nil, nil, 0, 0, err
	}
	return recs, h, total, fresh, nil
}

// Point is one value of a test in time.
type Point struct {
	At       time.Time
	ReportID string
	Value    float64
	Unit     string
	Range    Range
	Flag     Flag
}

// Trend is one test's values across a patient's released reports.
type Trend struct {
	LOINC, Name, Unit string
	PatientID         string
	Points            []Point // oldest first
}

// Trend opens the values of the test of one observation (found by report and
// observation id: no test code in a URL) across the patient's released
// reports, oldest first. Values in another unit than the latest are left
// out: a chart must not mix units.
func (s *Service) Trend(ctx context.Context, tenantID, reportID, obsID string) (*Trend, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	r, err := s.d.Store.ByID(ctx, tenantID, reportID)
	if err != nil {
		return nil, err
	}
	a, _ := access.ActorFrom(ctx)
	if a.Role == access.RolePatient && r.Status != Released {
		// Checked after Authorize below too; here so a held report's
		// existence costs no vault access.
		if _, err := s.d.Grants.Authorize(ctx, tenantID, r.PatientID, access.DataClinical, access.Read); err != nil {
			return nil, err
		}
		return nil, apperr.NotFoundError()
	}
	reps, _, _, err := s.List(ctx, tenantID, r.PatientID, ListLimit)
	if err != nil {
		return nil, err
	}
	var want *Observation
	for _, rep := range reps {
		if rep.ID != reportID {
			continue
		}
		for i := range rep.Observations {
			if rep.Observations[i].ID == obsID {
				want = &rep.Observations[i]
			}
		}
	}
	if want == nil {
		return nil, apperr.NotFoundError()
	}
	t := &Trend{LOINC: want.LOINC, Name: want.Name, Unit: want.Unit, PatientID: r.PatientID}
	for _, rep := range reps {
		for _, o := range rep.Observations {
			if o.LOINC == want.LOINC && o.Unit == want.Unit {
				t.Points = append(t.Points, Point{At: rep.CollectedAt, ReportID: rep.ID, Value: o.Value, Unit: o.Unit, Range: o.Range, Flag: o.Flag})
			}
		}
	}
	slices.SortFunc(t.Points, func(a, b Point) int { return a.At.Compare(b.At) })
	return t, nil
}

// ClinicianLimit is the most reports a clinician's page lists.
const ClinicianLimit = 100

// ForClinician opens the reports the clinician in ctx ordered: attention
// first, then held, then newest. One statement; one authorization per
// patient on the page (each a care-relationship decision) and one audited
// vault access for all rows. A report whose patient the clinician may no
// longer read (care ended) is left out.
func (s *Service) ForClinician(ctx context.Context, tenantID string) ([]*Report, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RoleClinician {
		return nil, apperr.NotFoundError()
	}
	recs, err := s.d.Store.ByClinician(ctx, tenantID, a.ID, ClinicianLimit)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	allowed := map[string]bool{}
	var subjects []string
	var purpose access.Purpose
	for _, r := range recs {
		if _, seen := allowed[r.PatientID]; seen {
			continue
		}
		d, err := s.d.Grants.Authorize(ctx, tenantID, r.PatientID, access.DataClinical, access.Read)
		switch {
		case apperr.Is(err, apperr.Denied), apperr.Is(err, apperr.NotFound):
			allowed[r.PatientID] = false
			continue
		case err != nil:
			return nil, err
		}
		allowed[r.PatientID], purpose = true, d.Purpose
		subjects = append(subjects, r.PatientID)
	}
	if len(subjects) == 0 {
		return nil, nil
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: subjects, Action: access.Read, Purpose: purpose,
		Resource: "lab_report", AuditAction: "lab_report.list", Detail: fmt.Sprintf("rows=%d", len(recs))})
	if err != nil {
		return nil, err
	}
	out := make([]*Report, 0, len(recs))
	for _, r := range recs {
		if !allowed[r.PatientID] {
			continue
		}
		rep, err := open(h, r)
		if err != nil {
			return nil, err
		}
		out = append(out, rep)
	}
	return out, nil
}

// Release releases a held report to its patient: the clinician in ctx, with
// the clinical write access to its patient. Releasing twice is a Conflict.
func (s *Service) Release(ctx context.Context, tenantID, reportID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	r, err := s.d.Store.ByID(ctx, tenantID, reportID)
	if err != nil {
		return err
	}
	d, err := s.d.Grants.Authorize(ctx, tenantID, r.PatientID, access.DataClinical, access.Write)
	if err != nil {
		return err
	}
	if err := s.event(ctx, tenantID, r, "lab_report.release", d.Purpose); err != nil {
		return err
	}
	if err := s.d.Store.Release(ctx, tenantID, reportID, s.d.Clock.Now()); err != nil {
		return err
	}
	s.released(ctx, r)
	return nil
}

// Acknowledge clears the attention a critical value raised, for the
// ordering clinician in ctx only.
func (s *Service) Acknowledge(ctx context.Context, tenantID, reportID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RoleClinician {
		return apperr.NotFoundError()
	}
	r, err := s.d.Store.ByID(ctx, tenantID, reportID)
	if err != nil {
		return err
	}
	if r.ClinicianID != a.ID {
		return apperr.NotFoundError()
	}
	d, err := s.d.Grants.Authorize(ctx, tenantID, r.PatientID, access.DataClinical, access.Write)
	if err != nil {
		return err
	}
	if err := s.event(ctx, tenantID, r, "lab_report.acknowledge", d.Purpose); err != nil {
		return err
	}
	return s.d.Store.Acknowledge(ctx, tenantID, reportID, a.ID)
}

// AttentionCount counts the reports needing the clinician in ctx's
// attention (the staff home's count): no report is opened.
func (s *Service) AttentionCount(ctx context.Context, tenantID string) (int, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RoleClinician {
		return 0, nil
	}
	return s.d.Store.AttentionCount(ctx, tenantID, a.ID)
}

// event records a change of a report's state in the audit log; a failure
// refuses the change (fail closed).
func (s *Service) event(ctx context.Context, tenantID string, r Record, action string, purpose access.Purpose) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, _ := access.ActorFrom(ctx)
	if err := s.d.Audit.Append(ctx, audit.Entry{Time: s.d.Clock.Now(), ActorID: a.ID, ActorRole: a.Role, TenantID: tenantID,
		Subjects: []string{r.PatientID}, Action: action, ResourceType: "lab_report", ResourceID: r.ID, Purpose: purpose,
		Outcome: audit.Allowed}); err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "Salve cannot record this right now, so it was not done. Try again in a minute.")
	}
	return nil
}

// ReleaseDue releases the held reports whose tenant's delay has passed (the
// scheduler's job), each release audited as the system's.
func (s *Service) ReleaseDue(ctx context.Context) (int, error) {
	recs, err := s.d.Store.ReleaseDue(ctx, s.d.Clock.Now(), 500)
	var errs []error
	for _, r := range recs {
		jctx := access.WithActor(ctx, access.System("labs.release_due", r.TenantID))
		errs = append(errs, s.event(jctx, r.TenantID, r, "lab_report.release_auto", access.PurposeSystem))
		s.released(jctx, r)
	}
	return len(recs), errors.Join(append(errs, err)...)
}

// ReleaseDelay returns the tenant's automatic release delay; 0 for never.
func (s *Service) ReleaseDelay(ctx context.Context, tenantID string) (time.Duration, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.d.Store.ReleaseDelay(ctx, tenantID)
}

// SetReleaseDelay sets the tenant's automatic release delay (0: reports
// wait for a clinician). Only an admin of the tenant (or the operator's
// command) may; a security-relevant setting, so audited.
func (s *Service) SetReleaseDelay(ctx context.Context, tenantID string, d time.Duration) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.TenantID != tenantID || (a.Role != access.RoleAdmin && !a.IsSystem()) {
		return apperr.NotFoundError()
	}
	if d < 0 || d > MaxReleaseDelay {
		return apperr.InvalidFields("Check the delay.", map[string]string{"hours": fmt.Sprintf("Enter 0 (never) up to %d hours.", int(MaxReleaseDelay.Hours()))})
	}
	if err := s.d.Audit.Append(ctx, audit.Entry{Time: s.d.Clock.Now(), ActorID: a.ID, ActorRole: a.Role, TenantID: tenantID,
		Action: "setting.lab_release_delay", ResourceType: "tenant", ResourceID: tenantID, Purpose: access.PurposeOperations,
		Outcome: audit.Allowed, Detail: d.String()}); err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "Salve cannot record this right now, so it was not done. Try again in a minute.")
	}
	return s.d.Store.SetReleaseDelay(ctx, tenantID, d, s.d.Clock.Now())
}
