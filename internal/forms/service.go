package forms

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Form is one version of a form.
type Form struct {
	ID, TenantID string
	Version      int
	Definition
	CreatedAt time.Time
}

// Record is a response as the PHI store keeps it: who answered which version
// of which form and when in the clear, the answers sealed.
type Record struct {
	ID, TenantID, PatientID, FormID string
	FormVersion                     int
	SubmittedAt                     time.Time
	AnswersCT                       []byte
}

// Response is a response opened for a reader.
type Response struct {
	ID, PatientID, FormID string
	FormVersion           int
	SubmittedAt           time.Time
	Answers               Answers
}

// Definitions keeps form versions in the catalog store
// (internal/store.FormDefinitions).
type Definitions interface {
	// Insert stores a new version; a version that exists already is a
	// Conflict (two managers saved at once: the second tries again).
	Insert(ctx context.Context, f Form, raw []byte) error
	// Latest returns the newest version of every form of the tenant, by
	// title: one query.
	Latest(ctx context.Context, tenantID string) ([]Form, error)
	// Version returns one version; NotFound when there is none.
	Version(ctx context.Context, tenantID, formID string, version int) (*Form, error)
}

// Responses keeps answers in the PHI store (internal/store.FormResponses).
type Responses interface {
	Insert(ctx context.Context, r Record) error
	// ByPatient returns a patient's responses, newest first.
	ByPatient(ctx context.Context, tenantID, patientID string) ([]Record, error)
	// Get returns one of a patient's responses; NotFound when it is not.
	Get(ctx context.Context, tenantID, patientID, responseID string) (*Record, error)
	// Completed returns the ids of the forms the patient has answered (any
	// version), from the clear columns only: nothing is opened.
	Completed(ctx context.Context, tenantID, patientID string) ([]string, error)
	// ByForm returns the newest responses to a form (every version), at
	// most limit.
	ByForm(ctx context.Context, tenantID, formID string, limit int) ([]Record, error)
}

// Authorizer decides and audits a denial of an access to a patient's data
// of a class (grants.Service.Authorize).
type Authorizer interface {
	Authorize(ctx context.Context, tenantID, patientID string, class access.DataClass, act access.Action) (access.Decision, error)
}

// Deps are what the service is built on.
type Deps struct {
	Definitions Definitions
	// Responses, Vault and Grants are nil in a process without the PHI
	// store: it may build forms but holds no answers.
	Responses Responses
	Vault     phi.Vault
	Grants    Authorizer
	Audit     audit.Appender
	// Page, if set, reports whether a slug names a published landing page
	// of the tenant (catalog.Service.PageBySlug), for a landing-page form.
	Page func(ctx context.Context, tenantID, slug string) bool
	// Throttle, if set, refuses a visitor's sending of a landing-page form
	// when the sender's address sent too many lately (RateLimited), and
	// counts the sending otherwise.
	Throttle func(ctx context.Context, tenantID string) error
	// Product, if set, reports whether a product id names a product of
	// the tenant, so that an intake questionnaire is attached to a real
	// one (catalog.Service.ProductByID).
	Product func(ctx context.Context, tenantID, productID string) bool
	Clock   clock.Clock
}

// Service builds forms and keeps their answers.
type Service struct{ d Deps }

// New returns the service.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	return &Service{d: d}
}

// Today is the service's date (UTC, YYYY-MM-DD), for signatures.
func (s *Service) Today() string { return s.d.Clock.Now().UTC().Format(time.DateOnly) }

// manager checks that the actor in ctx builds forms in the tenant. Why store
// managers and admins: a form is catalog content like a product page, and
// building one shows no answers (separation of duties, DESIGN §1).
func manager(ctx context.Context, tenantID string) (access.Actor, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.TenantID != tenantID || (a.Role != access.RoleStoreManager && a.Role != access.RoleAdmin) {
		return a, apperr.NotFoundError()
	}
	return a, nil
}

// Save validates a definition and stores it as the form's next version (a new
// form when formID is empty). Earlier versions stay as they were, so answers
// keep the questions they answered. Bad input is an Invalid error per builder
// field and stores nothing. The save is audited (who changed which form);
// without the event, nothing is saved.
func (s *Service) Save(ctx context.Context, tenantID, formID string, d Definition) (*Form, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := manager(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if d.Attach == Product && s.d.Product != nil && !s.d.Product(ctx, tenantID, d.Target) {
		return nil, apperr.InvalidFields("Check the highlighted parts of the form.", map[string]string{"target": "Choose one of the shop's products."})
	}
	if d.Attach == Page {
		if err := s.checkPage(ctx, tenantID, formID, d.Target); err != nil {
			return nil, err
		}
	}
	now := s.d.Clock.Now()
	f := &Form{ID: formID, TenantID: tenantID, Version: 1, Definition: d, CreatedAt: now}
	if formID == "" {
		f.ID = id.NewAt(now)
	} else {
		cur, err := s.Get(ctx, tenantID, formID)
		if err != nil {
			return nil, err
		}
		f.Version = cur.Version + 1
	}
	raw, err := d.Marshal()
	if err != nil {
		return nil, err
	}
	if s.d.Audit != nil {
		if err := s.d.Audit.Append(ctx, audit.Entry{Time: now, ActorID: a.ID, ActorRole: a.Role, TenantID: tenantID, Action: "form.save",
			ResourceType: "form", ResourceID: f.ID, Purpose: access.PurposeOperations, Outcome: audit.Allowed,
			Detail: fmt.Sprintf("version=%d attach=%s", f.Version, d.Attach)}); err != nil {
			return nil, apperr.Wrap(err, apperr.Unavailable, "Salve cannot record this right now, so the form was not saved. Try again in a minute.")
		}
	}
	if err := s.d.Definitions.Insert(ctx, *f, raw); err != nil {
		return nil, err
	}
	return f, nil
}

// List returns the newest version of each of the tenant's forms.
func (s *Service) List(ctx context.Context, tenantID string) ([]Form, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.d.Definitions.Latest(ctx, tenantID)
}

// Get returns the newest version of a form; NotFound when there is none.
func (s *Service) Get(ctx context.Context, tenantID, formID string) (*Form, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	all, err := s.d.Definitions.Latest(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].ID == formID {
			return &all[i], nil
		}
	}
	return nil, apperr.NotFoundError()
}

// Version returns one version of a form.
func (s *Service) Version(ctx context.Context, tenantID, formID string, version int) (*Form, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.d.Definitions.Version(ctx, tenantID, formID, version)
}

// Portal returns the forms listed on the patient's forms page (consents).
func (s *Service) Portal(ctx context.Context, tenantID string) ([]Form, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	all, err := s.d.Definitions.Latest(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var out []Form
	for _, f := range all {
		if f.Attach == Portal {
			out = append(out, f)
		}
	}
	return out, nil
}

// Usable reports whether a patient may be asked to fill the form: it is
// attached somewhere (a draft is not shown to patients).
func (f *Form) Usable() bool { return f.Attach == Product || f.Attach == Portal }

// Missing returns the intake questionnaires of the products that the patient
// has not completed yet (any version counts: an edit does not make everyone
// answer again). Only whether a response exists is read, never its answers.
// Checkout refuses while this is not empty (orders.Deps.Intake).
func (s *Service) Missing(ctx context.Context, tenantID, patientID string, productIDs []string) ([]Form, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	all, err := s.d.Definitions.Latest(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var need []Form
	for _, f := range all {
		if f.Attach == Product && slices.Contains(productIDs, f.Target) {
			need = append(need, f)
		}
	}
	if len(need) == 0 {
		return nil, nil
	}
	if s.d.Responses == nil {
		// Why: no PHI store, no way to know; fail closed.
		return need, nil
	}
	done, err := s.d.Responses.Completed(ctx, tenantID, patientID)
	if err != nil {
		return nil, err
	}
	var out []Form
	for _, f := range need {
		if !slices.Contains(done, f.ID) {
			out = append(out, f)
		}
	}
	return out, nil
}

// Intake is the check checkout makes (orders.Deps.Intake): a Conflict naming
// the first questionnaire still to complete, or nil.
func (s *Service) Intake(ctx context.Context, tenantID, patientID string, productIDs []string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	m, err := s.Missing(ctx, tenantID, patientID, productIDs)
	if err != nil || len(m) == 0 {
		return err
	}
	return apperr.New(apperr.Conflict, "Complete the questionnaire “"+m[0].Title+"” before checking out: an item in your cart needs it.")
}

// ErrNoPHI is returned by answer methods in a process without the PHI store.
var ErrNoPHI = errors.New("forms: no PHI store in this process")

// Submit stores a patient's answers to the current version of a form: sealed
// under the patient (the seal is audited), tied to that version. The actor
// must be allowed to write the form's data class of the patient (the patient,
// or a proxy granted it). version is the version the page showed: a form
// edited meanwhile is a Conflict, and the page is shown again with the new
// questions (nothing is stored). Bad answers are Invalid per input.
func (s *Service) Submit(ctx context.Context, tenantID, patientID, formID string, version int, v url.Values, files map[string]Upload) (*Response, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.d.Responses == nil {
		return nil, ErrNoPHI
	}
	f, err := s.Get(ctx, tenantID, formID)
	if err != nil {
		return nil, err
	}
	if !f.Usable() {
		return nil, apperr.NotFoundError()
	}
	dec, err := s.d.Grants.Authorize(ctx, tenantID, patientID, f.Class, access.Write)
	if err != nil {
		return nil, err
	}
	if version != f.Version {
		return nil, apperr.New(apperr.Conflict, "This form was changed while you were filling it in. Check the questions below and send it again.")
	}
	ans, err := ParseAnswers(f.Definition, v, files, s.Today())
	if err != nil {
		return nil, err
	}
	now := s.d.Clock.Now()
	r := Record{ID: id.NewAt(now), TenantID: tenantID, PatientID: patientID, FormID: f.ID, FormVersion: f.Version, SubmittedAt: now}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: access.Write, Purpose: dec.Purpose,
		Resource: "form_response", ResourceID: r.ID, AuditAction: "form_response.submit", Detail: fmt.Sprintf("form=%s version=%d", f.ID, f.Version)})
	if err != nil {
		return nil, err
	}
	raw, err := ans.Marshal()
	if err != nil {
		return nil, err
	}
	if r.AnswersCT, err = h.SealBytes(patientID, "form_responses", "answers_ct", r.ID, raw); err != nil {
		return nil, err
	}
	if err := s.d.Responses.Insert(ctx, r); err != nil {
		return nil, err
	}
	return &Response{ID: r.ID, PatientID: patientID, FormID: f.ID, FormVersion: f.Version, SubmittedAt: now, Answers: ans}, nil
}

// Answered is a response with the version of the form it answered.
type Answered struct {
	*Response
	Form *Form
}

// Responses opens the patient's responses that the actor in ctx may read:
// each form's data class decides (a role outside it does not see that
// response at all). None readable while some exist answers the same 404 as
// a missing record (the denial audited by the authorizer). One audited vault
// access opens them all.
func (s *Service) Responses(ctx context.Context, tenantID, patientID string) ([]Answered, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.d.Responses == nil {
		return nil, ErrNoPHI
	}
	recs, err := s.d.Responses.ByPatient(ctx, tenantID, patientID)
	if err != nil {
		return nil, err
	}
	return s.open(ctx, tenantID, patientID, recs, "form_response.list")
}

// Response opens one of a patient's responses for the actor in ctx, with the
// form version it answered; NotFound when it is not there or the form's class
// is not the actor's to read.
func (s *Service) Response(ctx context.Context, tenantID, patientID, responseID string) (*Answered, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.d.Responses == nil {
		return nil, ErrNoPHI
	}
	rec, err := s.d.Responses.Get(ctx, tenantID, patientID, responseID)
	if err != nil {
		return nil, err
	}
	out, err := s.open(ctx, tenantID, patientID, []Record{*rec}, "form_response.read")
	if err != nil {
		return nil, err
	}
	return &out[0], nil
}

func (s *Service) open(ctx context.Context, tenantID, patientID string, recs []Record, action string) ([]Answered, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if len(recs) == 0 {
		return nil, nil
	}
	// The form versions, from the catalog store, and a decision per class.
	forms := map[string]*Form{}
	decided := map[access.DataClass]*access.Decision{}
	var keep []Record
	var purpose access.Purpose
	var denied error
	for _, r := range recs {
		k := fmt.Sprintf("%s/%d", r.FormID, r.FormVersion)
		f, ok := forms[k]
		if !ok {
			var err error
			if f, err = s.d.Definitions.Version(ctx, tenantID, r.FormID, r.FormVersion); err != nil {
				return nil, err
			}
			forms[k] = f
		}
		d, ok := decided[f.Class]
		if !ok {
			dec, err := s.d.Grants.Authorize(ctx, tenantID, patientID, f.Class, access.Read)
			if err != nil && !apperr.Is(err, apperr.Denied) {
				return nil, err
			}
			if err != nil {
				denied = err
				dec = access.Decision{}
			}
			d = &dec
			decided[f.Class] = d
		}
		if !d.Allowed {
			continue
		}
		purpose = d.Purpose
		keep = append(keep, r)
	}
	if len(keep) == 0 {
		// Why the denial's own error: it is the same 404 as a missing
		// record, and the authorizer audited it.
		return nil, denied
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: access.Read, Purpose: purpose,
		Resource: "form_response", ResourceID: singleID(keep), AuditAction: action, Detail: fmt.Sprintf("rows=%d", len(keep))})
	if err != nil {
		return nil, err
	}
	out := make([]Answered, 0, len(keep))
	for _, r := range keep {
		raw, err := h.OpenBytes(patientID, "form_responses", "answers_ct", r.ID, r.AnswersCT)
		if err != nil {
			return nil, err
		}
		ans, err := UnmarshalAnswers(raw.Reveal())
		if err != nil {
			return nil, fmt.Errorf("response %s: %w", r.ID, err)
		}
		out = append(out, Answered{Response: &Response{ID: r.ID, PatientID: r.PatientID, FormID: r.FormID, FormVersion: r.FormVersion,
			SubmittedAt: r.SubmittedAt, Answers: ans}, Form: forms[fmt.Sprintf("%s/%d", r.FormID, r.FormVersion)]})
	}
	return out, nil
}

func singleID(recs []Record) string {
	if len(recs) == 1 {
		return recs[0].ID
	}
	return ""
}
