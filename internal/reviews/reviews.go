// Package reviews keeps the compliance officer's scheduled reviews (issue
// 19, item 5): access recertification (every staff account's roles
// confirmed every 90 days, or the account is disabled), BAA expiry
// (reminders 60, 30 and 7 days before a vendor's BAA ends), backup restore
// drills, the yearly risk assessment and the review of audit activity.
//
// The calendar says what is due and overdue; a daily job (Run) sends
// reminders through the outbox (no PHI: "a compliance review is due — sign
// in") and disables the staff accounts whose recertification is overdue.
// Each completion is recorded with who completed it and the evidence, sealed
// through the vault under its own subject, so every read is audited.
package reviews

import (
	"bytes"
	"context"
	"errors"
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

// Kind is a kind of scheduled review.
type Kind string

// The kinds of review.
const (
	// Recertification: one staff account's roles confirmed by a manager
	// (an admin or the compliance officer), every RecertifyEvery.
	Recertification Kind = "access.recertification"
	// BAARenewal: a vendor's BAA, due on the day it ends; completed by
	// renewing it on the Vendors and BAAs page.
	BAARenewal Kind = "baa.renewal"
	// RestoreDrill: a backup restored into scratch stores and checked.
	RestoreDrill Kind = "backup.restore_drill"
	// RiskAssessment: the yearly risk analysis, 164.308(a)(1)(ii)(A).
	RiskAssessment Kind = "risk.assessment"
	// ActivityReview: the review of audit activity (the activity report),
	// 164.308(a)(1)(ii)(D).
	ActivityReview Kind = "audit.activity_review"
)

// The periods of the reviews, and the notice before a disabling.
const (
	RecertifyEvery      = 90 * 24 * time.Hour
	RestoreDrillEvery   = 90 * 24 * time.Hour
	RiskAssessmentEvery = 365 * 24 * time.Hour
	ActivityReviewEvery = 30 * 24 * time.Hour
	// RecertifyGrace is how long after the first reminder of an overdue
	// recertification the account stays enabled. Why a grace, and from the
	// reminder: on the day this feature is installed every old account is
	// "overdue"; disabling them all at once (admins included) would lock
	// the business out without a word. Every account is told first.
	RecertifyGrace = 14 * 24 * time.Hour
)

// BAAStages are the days before a BAA ends on which a reminder goes out.
var BAAStages = []int{60, 30, 7}

// MaxEvidence is the longest evidence text.
const MaxEvidence = 4000

// Title is the kind as the calendar names it.
func (k Kind) Title() string {
	return map[Kind]string{Recertification: "Access recertification", BAARenewal: "BAA renewal", RestoreDrill: "Backup restore drill",
		RiskAssessment: "Yearly risk assessment", ActivityReview: "Audit activity review"}[k]
}

// Period is how often a review of the kind is due (zero for BAA renewal,
// which is due on the BAA's end).
func (k Kind) Period() time.Duration {
	return map[Kind]time.Duration{Recertification: RecertifyEvery, RestoreDrill: RestoreDrillEvery,
		RiskAssessment: RiskAssessmentEvery, ActivityReview: ActivityReviewEvery}[k]
}

// Completable lists the kinds completed on the reviews page, with the
// installation-wide ones (no target) first.
func Completable() []Kind {
	return []Kind{RestoreDrill, RiskAssessment, ActivityReview, Recertification}
}

// Completion is one completed review. The evidence is sealed (EvidenceCT).
type Completion struct {
	ID, TenantID  string
	Kind          Kind
	Target        string // the staff account's id for a recertification; "" otherwise
	CompletedAt   time.Time
	CompletedBy   string
	CompletedRole access.Role
	EvidenceCT    []byte
	// FileType is the evidence file's type as its content was checked to
	// be (FilePDF, FilePNG, ...), "" when none was attached; FileSize is
	// its size in bytes. The file itself is sealed (FileCT, set only when
	// recorded; Store.File reads it back).
	FileType FileType
	FileSize int64
	FileCT   []byte
}

// FileType is the type of an evidence file, decided by its content.
type FileType string

// The evidence file types accepted.
const (
	FilePDF  FileType = "pdf"
	FilePNG  FileType = "png"
	FileJPEG FileType = "jpeg"
	FileCSV  FileType = "csv"
	FileText FileType = "text"
)

// MaxFile is the largest evidence file accepted (a scanned report).
const MaxFile = 10 << 20

// ContentType is the file type's media type, as it is sent on download.
func (t FileType) ContentType() string {
	return map[FileType]string{FilePDF: "application/pdf", FilePNG: "image/png", FileJPEG: "image/jpeg",
		FileCSV: "text/csv; charset=utf-8", FileText: "text/plain; charset=utf-8"}[t]
}

// Ext is the file name extension a download is given.
func (t FileType) Ext() string {
	return map[FileType]string{FilePDF: "pdf", FilePNG: "png", FileJPEG: "jpg", FileCSV: "csv", FileText: "txt"}[t]
}

// Attachment is an evidence file as uploaded: its bytes and the name the
// browser gave it (used only to tell a CSV from plain text; never kept).
type Attachment struct {
	Name string
	Data []byte
}

// SniffFile decides an evidence file's type from its content, or refuses
// it. Why the content and not the name or the browser's type: a renamed
// executable must not be kept as "evidence" (and later opened by someone
// trusting the name). PDF, PNG and JPEG by their signatures (ISO 32000-1
// 7.5.2, PNG 5.2, JPEG SOI + marker, as WHATWG MIME sniffing decides);
// CSV and plain text by being UTF-8 without control characters (an
// executable has NUL bytes), and neither a script ("#!") nor markup that a
// browser would run.
func SniffFile(a Attachment) (FileType, bool) {
	b := a.Data
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return FilePDF, true
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return FilePNG, true
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return FileJPEG, true
	}
	if !utf8.Valid(b) || bytes.HasPrefix(b, []byte("#!")) {
		return "", false
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' || c == 0x7F {
			return "", false
		}
	}
	head := strings.ToLower(strings.TrimSpace(string(b[:min(len(b), 512)])))
	for _, tag := range []string{"<!doctype", "<html", "<script", "<svg", "<?xml", "<iframe", "<body", "<head"} {
		if strings.HasPrefix(head, tag) {
			return "", false
		}
	}
	if strings.HasSuffix(strings.ToLower(a.Name), ".csv") {
		return FileCSV, true
	}
	return FileText, true
}

// Staff is one staff account as the reviews need it: no name, no email.
type Staff struct {
	ID        string
	Role      access.Role
	Status    string // "active", "invited", "disabled"
	CreatedAt time.Time
}

// Vendor is a vendor's BAA as the reviews need it.
type Vendor struct {
	ID, Name  string
	ExpiresOn string // YYYY-MM-DD, "" when none
}

// Store keeps completions and sent reminders (internal/store.Reviews).
type Store interface {
	AddCompletion(ctx context.Context, c Completion) error
	// Completions returns a tenant's completions, newest first, at most limit.
	Completions(ctx context.Context, tenantID string, limit int) ([]Completion, error)
	// Completion returns one (without FileCT); apperr NotFound when the
	// tenant has none such.
	Completion(ctx context.Context, tenantID, id string) (Completion, error)
	// File returns a completion's sealed evidence file.
	File(ctx context.Context, tenantID, id string) ([]byte, error)
	// Latest returns the newest completion time of each kind and target,
	// keyed by Key(kind, target).
	Latest(ctx context.Context, tenantID string) (map[string]time.Time, error)
	// Remind records a reminder for one due date and stage unless recorded
	// already; it returns when the reminder was first recorded and whether
	// it is this call that recorded it.
	Remind(ctx context.Context, tenantID string, kind Kind, target, dueOn, stage string, at time.Time) (time.Time, bool, error)
}

// Key is how Latest keys a kind and target.
func Key(k Kind, target string) string { return string(k) + "|" + target }

// Enqueuer queues an email (internal/outbox).
type Enqueuer interface {
	Enqueue(ctx context.Context, tenantID, subjectID string, kind notify.Kind, m notify.Message) error
}

// Deps are what the service works with.
type Deps struct {
	Store Store
	Vault phi.Vault
	Audit audit.Appender
	// Tenants lists the tenants' ids, for the daily job.
	Tenants func(ctx context.Context) ([]string, error)
	// Staff lists a tenant's staff accounts (every role but patient).
	Staff func(ctx context.Context, tenantID string) ([]Staff, error)
	// Vendors lists a tenant's vendors with their BAA's end.
	Vendors func(ctx context.Context, tenantID string) ([]Vendor, error)
	// Disable disables a staff account whose recertification is overdue
	// (every session ends), audited in the accounts service.
	Disable func(ctx context.Context, tenantID, userID string) error
	// Outbox, Contacts and Links send the reminders to the tenant's
	// compliance officers; nil Outbox sends none.
	Outbox   Enqueuer
	Contacts func(ctx context.Context, tenantID, userID string) (string, error)
	Links    func(ctx context.Context, tenantID string) (brand, baseURL string)
	Clock    clock.Clock
	Log      *slog.Logger
}

// Service keeps the reviews.
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

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.d.Clock.Now() }

// Why these checks here as well as on the routes: reviews are compliance
// evidence; only the compliance officer and admins (the managers who
// confirm staff roles) see or record them, in their own tenant, whatever
// surface calls.
func reviewer(ctx context.Context, tenantID string) (access.Actor, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.TenantID != tenantID || (a.Role != access.RoleCompliance && a.Role != access.RoleAdmin) {
		return access.Actor{}, apperr.DeniedError(errors.New("reviews: compliance and admins only"))
	}
	return a, nil
}

// Item is one line of the calendar.
type Item struct {
	Kind   Kind
	Target string // a staff account's or a vendor's id
	// Label names the target without PHI: a role and the start of an id,
	// or a vendor's name.
	Label    string
	Due      time.Time
	LastDone time.Time // zero: never
	Overdue  bool
	// DueSoon: due within 30 days.
	DueSoon bool
}

// Calendar lists every review of the tenant with its due date, overdue
// first, then by due date.
func (s *Service) Calendar(ctx context.Context, tenantID string) ([]Item, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := reviewer(ctx, tenantID); err != nil {
		return nil, err
	}
	return s.calendar(ctx, tenantID)
}

// Overdue counts the tenant's overdue reviews, for the compliance report
// (no access check: the report's caller decides who sees it).
func (s *Service) Overdue(ctx context.Context, tenantID string) ([]Item, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	items, err := s.calendar(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, it := range items {
		if it.Overdue {
			out = append(out, it)
		}
	}
	return out, nil
}

// Last is when a tenant's installation-wide review of a kind was last
// completed (zero: never), for the compliance report.
func (s *Service) Last(ctx context.Context, tenantID string, kind Kind) (time.Time, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	latest, err := s.d.Store.Latest(ctx, tenantID)
	if err != nil {
		return time.Time{}, err
	}
	return latest[Key(kind, "")], nil
}

func (s *Service) calendar(ctx context.Context, tenantID string) ([]Item, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	now := s.d.Clock.Now()
	latest, err := s.d.Store.Latest(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var items []Item
	add := func(it Item) {
		// Never done counts as overdue: nothing shows it was ever done.
		it.Overdue = now.After(it.Due) || (it.Target == "" && it.LastDone.IsZero())
		it.DueSoon = !it.Overdue && it.Due.Sub(now) <= 30*24*time.Hour
		items = append(items, it)
	}
	for _, k := range []Kind{RestoreDrill, RiskAssessment, ActivityReview} {
		last := latest[Key(k, "")]
		// Never done: due now, so that a new installation sees each one.
		due := now
		if !last.IsZero() {
			due = last.Add(k.Period())
		}
		add(Item{Kind: k, Due: due, LastDone: last})
	}
	if s.d.Staff != nil {
		staff, err := s.d.Staff(ctx, tenantID)
		if err != nil {
			return nil, err
		}
		for _, st := range staff {
			if st.Status == "disabled" {
				continue
			}
			last := latest[Key(Recertification, st.ID)]
			add(Item{Kind: Recertification, Target: st.ID, Label: staffLabel(st), Due: recertDue(st, last), LastDone: last})
		}
	}
	if s.d.Vendors != nil {
		vs, err := s.d.Vendors(ctx, tenantID)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			end, err := time.Parse(time.DateOnly, v.ExpiresOn)
			if err != nil {
				continue // no BAA on file: the vendors page says so
			}
			// A BAA is current through its last day (vendors.Vendor.Current).
			add(Item{Kind: BAARenewal, Target: v.ID, Label: v.Name, Due: end.Add(24*time.Hour - time.Nanosecond)})
		}
	}
	slices.SortStableFunc(items, func(a, b Item) int {
		if a.Overdue != b.Overdue {
			if a.Overdue {
				return -1
			}
			return 1
		}
		return a.Due.Compare(b.Due)
	})
	return items, nil
}

// recertDue is when a staff account's roles must next be confirmed: a
// period after the last confirmation, or after the account was made.
func recertDue(st Staff, last time.Time) time.Time {
	base := st.CreatedAt
	if last.After(base) {
		base = last
	}
	return base.Add(RecertifyEvery)
}

func staffLabel(st Staff) string {
	short := st.ID
	if len(short) > 8 {
		short = short[:8]
	}
	return string(st.Role) + " " + short
}

// subject is what a completion's evidence is sealed under: its own key.
func subject(completionID string) string { return "review:" + completionID }

// Complete records a completed review with its evidence (what was done,
// where the report is kept). For a recertification target is the staff
// account whose roles were confirmed; an admin or compliance officer may not
// confirm their own. Bad input is an Invalid error naming the field, and
// nothing is recorded.
func (s *Service) Complete(ctx context.Context, tenantID string, kind Kind, target, evidence string) (Completion, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.CompleteWithFile(ctx, tenantID, kind, target, evidence, Attachment{})
}

// CompleteWithFile is Complete with an evidence file attached (none when
// file.Data is empty): a PDF, PNG, JPEG, CSV or plain text under MaxFile,
// checked by its content (SniffFile), sealed with the completion.
func (s *Service) CompleteWithFile(ctx context.Context, tenantID string, kind Kind, target, evidence string, file Attachment) (Completion, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := reviewer(ctx, tenantID)
	if err != nil {
		return Completion{}, err
	}
	fields := map[string]string{}
	if !slices.Contains(Completable(), kind) {
		fields["kind"] = "Choose one of the reviews listed."
	}
	evidence = strings.TrimSpace(evidence)
	switch {
	case evidence == "":
		fields["evidence"] = "Say what was done and where its record is kept."
	case utf8.RuneCountInString(evidence) > MaxEvidence:
		fields["evidence"] = fmt.Sprintf("At most %d characters.", MaxEvidence)
	}
	var ft FileType
	switch {
	case len(file.Data) == 0:
	case len(file.Data) > MaxFile:
		fields["file"] = "The file is larger than 10 MB; attach a smaller one."
	default:
		var ok bool
		if ft, ok = SniffFile(file); !ok {
			fields["file"] = "Attach a PDF, PNG, JPEG, CSV or plain-text file; that file is none of these."
		}
	}
	if kind == Recertification {
		// Why: confirming one's own access is no review at all (the same
		// rule as the two-person rule of changes).
		if target == a.ID {
			fields["target"] = "You cannot confirm your own account: another admin or the compliance officer must."
		} else if ok, err := s.activeStaff(ctx, tenantID, target); err != nil {
			return Completion{}, err
		} else if !ok {
			fields["target"] = "Choose a staff account listed."
		}
	} else {
		target = ""
	}
	if len(fields) > 0 {
		return Completion{}, apperr.InvalidFields("Check the highlighted fields; nothing was recorded.", fields)
	}
	now := s.d.Clock.Now()
	c := Completion{ID: id.NewAt(now), TenantID: tenantID, Kind: kind, Target: target, CompletedAt: now, CompletedBy: a.ID, CompletedRole: a.Role}
	// The vault records the write (fail closed: no audit, no record).
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{subject(c.ID)}, Action: access.Write,
		Purpose: access.PurposeCompliance, Resource: "review", ResourceID: c.ID, AuditAction: "review.complete", High: kind == Recertification})
	if err != nil {
		return Completion{}, err
	}
	if c.EvidenceCT, err = h.SealString(subject(c.ID), "review_completions", "evidence_ct", c.ID, evidence); err != nil {
		return Completion{}, err
	}
	if ft != "" {
		if c.FileCT, err = h.SealBytes(subject(c.ID), "review_completions", "file_ct", c.ID, file.Data); err != nil {
			return Completion{}, err
		}
		c.FileType, c.FileSize = ft, int64(len(file.Data))
	}
	if err := s.d.Store.AddCompletion(ctx, c); err != nil {
		return Completion{}, err
	}
	return c, nil
}

func (s *Service) activeStaff(ctx context.Context, tenantID, userID string) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.d.Staff == nil || userID == "" {
		return false, nil
	}
	list, err := s.d.Staff(ctx, tenantID)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(list, func(st Staff) bool { return st.ID == userID && st.Status != "disabled" }), nil
}

// Completions lists the tenant's completed reviews, newest first (without
// opening the evidence).
func (s *Service) Completions(ctx context.Context, tenantID string, limit int) ([]Completion, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := reviewer(ctx, tenantID); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	return s.d.Store.Completions(ctx, tenantID, limit)
}

// Evidence opens one completion's evidence; the vault records the read. A
// completion of another tenant is the same NotFound as none.
func (s *Service) Evidence(ctx context.Context, tenantID, completionID string) (Completion, string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := reviewer(ctx, tenantID); err != nil {
		return Completion{}, "", err
	}
	if !id.Valid(completionID) {
		return Completion{}, "", apperr.NotFoundError()
	}
	c, err := s.d.Store.Completion(ctx, tenantID, completionID)
	if err != nil {
		return Completion{}, "", err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{subject(c.ID)}, Action: access.Read,
		Purpose: access.PurposeCompliance, Resource: "review", ResourceID: c.ID, AuditAction: "review.evidence"})
	if err != nil {
		return Completion{}, "", err
	}
	text, err := h.OpenString(subject(c.ID), "review_completions", "evidence_ct", c.ID, c.EvidenceCT)
	if err != nil {
		return Completion{}, "", err
	}
	return c, text.Reveal(), nil
}

// File opens one completion's evidence file for compliance or an admin; the
// vault records the read. None attached, or another tenant's completion,
// is the same NotFound as none.
func (s *Service) File(ctx context.Context, tenantID, completionID string) (Completion, []byte, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := reviewer(ctx, tenantID); err != nil {
		return Completion{}, nil, err
	}
	if !id.Valid(completionID) {
		return Completion{}, nil, apperr.NotFoundError()
	}
	c, err := s.d.Store.Completion(ctx, tenantID, completionID)
	if err != nil {
		return Completion{}, nil, err
	}
	if c.FileType == "" {
		return Completion{}, nil, apperr.NotFoundError()
	}
	ct, err := s.d.Store.File(ctx, tenantID, c.ID)
	if err != nil {
		return Completion{}, nil, err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{subject(c.ID)}, Action: access.Read,
		Purpose: access.PurposeCompliance, Resource: "review", ResourceID: c.ID, AuditAction: "review.evidence_file"})
	if err != nil {
		return Completion{}, nil, err
	}
	b, err := h.OpenBytes(subject(c.ID), "review_completions", "file_ct", c.ID, ct)
	if err != nil {
		return Completion{}, nil, err
	}
	return c, b.Reveal(), nil
}

// RunResult is what a run of the daily job did.
type RunResult struct {
	Reminded, Disabled int
}

// Run is the daily job, for every tenant: reminders of reviews due or
// overdue and of BAAs ending in 60, 30 or 7 days go to the tenant's
// compliance officers (once each, whatever the replicas); staff accounts
// whose recertification is overdue and whose first reminder is older than
// RecertifyGrace are disabled. It bears running twice (it works from the
// stores' state).
func (s *Service) Run(ctx context.Context) (RunResult, error) {
	var res RunResult
	tenants, err := s.d.Tenants(ctx)
	if err != nil {
		return res, err
	}
	for _, tid := range tenants {
		sys := access.WithActor(ctx, access.System("reviews.run", tid))
		r, err := s.runTenant(sys, tid)
		res.Reminded += r.Reminded
		res.Disabled += r.Disabled
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

func (s *Service) runTenant(ctx context.Context, tenantID string) (RunResult, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var res RunResult
	now := s.d.Clock.Now()
	items, err := s.calendar(ctx, tenantID)
	if err != nil {
		return res, err
	}
	due := 0
	for _, it := range items {
		stage := ""
		switch {
		case it.Kind == BAARenewal:
			days := int(it.Due.Sub(now).Hours() / 24)
			for _, st := range BAAStages {
				if days < st && days >= 0 {
					stage = fmt.Sprintf("%d", st)
				}
			}
			if it.Overdue {
				stage = "ended"
			}
		case it.Overdue:
			stage = "overdue"
		}
		if stage == "" {
			continue
		}
		// A review never done is due "now" on every run: its reminder is
		// keyed "never", so it goes out once, not daily.
		dueKey := it.Due.UTC().Format(time.DateOnly)
		if it.LastDone.IsZero() && it.Target == "" {
			dueKey = "never"
		}
		first, fresh, err := s.d.Store.Remind(ctx, tenantID, it.Kind, it.Target, dueKey, stage, now)
		if err != nil {
			return res, err
		}
		if fresh {
			due++
		}
		if it.Kind == Recertification && now.Sub(first) >= RecertifyGrace {
			// Why disable: the rule (164.308(a)(3)(ii)(B)); access
			// nobody confirms is access nobody needs. The accounts service
			// ends the sessions and audits the disabling.
			if err := s.d.Disable(ctx, tenantID, it.Target); err != nil {
				return res, err
			}
			res.Disabled++
		}
	}
	if due > 0 {
		res.Reminded = s.remind(ctx, tenantID)
	}
	return res, nil
}

// remind emails the tenant's compliance officers that reviews need them:
// one email, naming the brand and the calendar's address only (no PHI, no
// account, no vendor). A failure is logged: the calendar still shows it.
func (s *Service) remind(ctx context.Context, tenantID string) int {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.d.Outbox == nil || s.d.Contacts == nil || s.d.Links == nil || s.d.Staff == nil {
		return 0
	}
	staff, err := s.d.Staff(ctx, tenantID)
	if err != nil {
		s.d.Log.ErrorContext(ctx, "review reminder: no staff list", "tenant", tenantID, "err", err)
		return 0
	}
	brand, base := s.d.Links(ctx, tenantID)
	link := strings.TrimSuffix(base, "/") + "/admin/compliance/reviews"
	n := 0
	for _, st := range staff {
		if st.Role != access.RoleCompliance || st.Status != "active" {
			continue
		}
		addr, err := s.d.Contacts(ctx, tenantID, st.ID)
		if err != nil {
			s.d.Log.ErrorContext(ctx, "review reminder: no address", "user", st.ID, "err", err)
			continue
		}
		msg, err := notify.Compose(notify.ReviewDue, addr, notify.Params{Brand: brand, Link: link})
		if err == nil {
			err = s.d.Outbox.Enqueue(ctx, tenantID, st.ID, notify.ReviewDue, msg)
		}
		if err != nil {
			s.d.Log.ErrorContext(ctx, "review reminder not queued", "user", st.ID, "err", err)
			continue
		}
		n++
	}
	return n
}
