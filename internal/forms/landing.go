package forms

import (
	"context"
	"fmt"
	"net/url"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Landing-page forms (issue 18 point 1): a contact or sign-up form on a
// landing page, sent by visitors, signed in or not. The answers are PHI
// like any other (a visitor asking about a diabetes product says something
// about their health), so they are sealed and read through the vault, and
// read only by the roles of the form's data class. A visitor has no
// account to seal them under, so each sending is its own subject: a new id,
// with its own data key, that can be shredded on its own.

// MaxPageResponses is the most responses the staff page lists at once.
const MaxPageResponses = 200

// checkPage refuses a landing-page form for a page that does not exist or
// that another form is already on (a page has one form).
func (s *Service) checkPage(ctx context.Context, tenantID, formID, slug string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.d.Page != nil && !s.d.Page(ctx, tenantID, slug) {
		return apperr.InvalidFields("Check the highlighted parts of the form.", map[string]string{"page": "Choose one of the shop's published landing pages."})
	}
	all, err := s.d.Definitions.Latest(ctx, tenantID)
	if err != nil {
		return err
	}
	for _, f := range all {
		if f.ID != formID && f.Attach == Page && f.Target == slug {
			return apperr.InvalidFields("Check the highlighted parts of the form.",
				map[string]string{"page": "The form “" + f.Title + "” is on that page already; a page has one form."})
		}
	}
	return nil
}

// OnPage returns the form on a published landing page (its current
// version); NotFound when the page has none or is not published.
func (s *Service) OnPage(ctx context.Context, tenantID, slug string) (*Form, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.d.Page != nil && !s.d.Page(ctx, tenantID, slug) {
		return nil, apperr.NotFoundError()
	}
	all, err := s.d.Definitions.Latest(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	for _, f := range all {
		if f.Attach == Page && f.Target == slug {
			return &f, nil
		}
	}
	return nil, apperr.NotFoundError()
}

// SubmitVisitor stores a visitor's answers to the form on a landing page:
// validated like any form's, throttled per sender (Deps.Throttle), sealed
// under a new subject (the seal audited), tied to the version the page
// showed. The actor is the signed-in person in ctx, or for a visitor the
// system actor "landing-form" of the tenant, so the audit log says who
// sent it as far as anyone knows. Bad answers are Invalid per input and
// store nothing; a form edited meanwhile is a Conflict.
func (s *Service) SubmitVisitor(ctx context.Context, tenantID, slug string, version int, v url.Values, files map[string]Upload) (*Response, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.d.Responses == nil {
		return nil, ErrNoPHI
	}
	f, err := s.OnPage(ctx, tenantID, slug)
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
	if s.d.Throttle != nil {
		if err := s.d.Throttle(ctx, tenantID); err != nil {
			return nil, err
		}
	}
	if a, ok := access.ActorFrom(ctx); !ok || a.TenantID != tenantID {
		ctx = access.WithActor(ctx, access.System("landing-form", tenantID))
	}
	now := s.d.Clock.Now()
	subject := id.NewAt(now)
	r := Record{ID: id.NewAt(now), TenantID: tenantID, PatientID: subject, FormID: f.ID, FormVersion: f.Version, SubmittedAt: now}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{subject}, Action: access.Write, Purpose: access.PurposeOperations,
		Resource: "form_response", ResourceID: r.ID, AuditAction: "form_response.submit", Detail: fmt.Sprintf("form=%s version=%d page=%s", f.ID, f.Version, slug)})
	if err != nil {
		return nil, err
	}
	raw, err := ans.Marshal()
	if err != nil {
		return nil, err
	}
	if r.AnswersCT, err = h.SealBytes(subject, "form_responses", "answers_ct", r.ID, raw); err != nil {
		return nil, err
	}
	if err := s.d.Responses.Insert(ctx, r); err != nil {
		return nil, err
	}
	return &Response{ID: r.ID, PatientID: subject, FormID: f.ID, FormVersion: f.Version, SubmittedAt: now, Answers: ans}, nil
}

// PageResponses opens the newest responses to a landing-page form for the
// actor in ctx: only a role that may read the form's data class reads them
// (customer service a contact form, say); anyone else, store managers and
// admins included, gets the same 404 as a missing form (the denial
// audited). One audited vault access opens them all.
func (s *Service) PageResponses(ctx context.Context, tenantID, formID string) (*Form, []Answered, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.d.Responses == nil {
		return nil, nil, ErrNoPHI
	}
	f, err := s.Get(ctx, tenantID, formID)
	if err != nil {
		return nil, nil, err
	}
	if f.Attach != Page {
		return nil, nil, apperr.NotFoundError()
	}
	// Why decided before anything is read, with the form itself as the
	// subject: the decision is the reader's role and the form's class (a
	// visitor has no care relationship or proxy), and a reader outside the
	// class must learn nothing, not even how many wrote.
	dec, err := s.d.Grants.Authorize(ctx, tenantID, f.ID, f.Class, access.Read)
	if err != nil {
		return nil, nil, err
	}
	recs, err := s.d.Responses.ByForm(ctx, tenantID, formID, MaxPageResponses)
	if err != nil || len(recs) == 0 {
		return f, nil, err
	}
	subjects := make([]string, 0, len(recs))
	for _, r := range recs {
		subjects = append(subjects, r.PatientID)
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: subjects, Action: access.Read, Purpose: dec.Purpose,
		Resource: "form_response", ResourceID: singleID(recs), AuditAction: "form_response.list", Detail: fmt.Sprintf("form=%s rows=%d", f.ID, len(recs))})
	if err != nil {
		return nil, nil, err
	}
	versions := map[int]*Form{f.Version: f}
	out := make([]Answered, 0, len(recs))
	for _, r := range recs {
		fv, ok := versions[r.FormVersion]
		if !ok {
			if fv, err = s.d.Definitions.Version(ctx, tenantID, r.FormID, r.FormVersion); err != nil {
				return nil, nil, err
			}
			versions[r.FormVersion] = fv
		}
		raw, err := h.OpenBytes(r.PatientID, "form_responses", "answers_ct", r.ID, r.AnswersCT)
		if err != nil {
			return nil, nil, err
		}
		ans, err := UnmarshalAnswers(raw.Reveal())
		if err != nil {
			return nil, nil, fmt.Errorf("response %s: %w", r.ID, err)
		}
		out = append(out, Answered{Response: &Response{ID: r.ID, PatientID: r.PatientID, FormID: r.FormID, FormVersion: r.FormVersion,
			SubmittedAt: r.SubmittedAt, Answers: ans}, Form: fv})
	}
	return f, out, nil
}
