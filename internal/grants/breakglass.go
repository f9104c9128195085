package grants

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/tenant"
)

// Opened is a break-glass grant just made: its id (the pages it opens are
// found by it) and when it ends.
type Opened struct {
	ID    string
	Until time.Time
}

// BreakGlass opens a patient's clinical record to a clinician or pharmacist
// without a care relationship, for access.BreakGlassDuration (or the
// brand's shorter Policy). It needs a stated reason (at least
// access.MinBreakGlassReason characters, or the brand's more; sealed under
// the patient: it may describe their condition) and a second factor passed in
// the last few minutes. It raises a high-severity event, alerts the tenant's
// security contact and waits in the compliance review queue.
func (s *Service) BreakGlass(ctx context.Context, t *tenant.Tenant, sess signin.Session, patientID, reason string) (Opened, error) {
	ctx = access.WithActor(ctx, sess.Actor())
	now := s.clock.Now()
	if sess.Role != access.RoleClinician && sess.Role != access.RolePharmacist {
		return Opened{}, apperr.DeniedError(fmt.Errorf("%s may not break the glass", sess.Role))
	}
	lasts, minReason := Policy(t)
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) < minReason || utf8.RuneCountInString(reason) > 1000 {
		return Opened{}, apperr.InvalidFields("Say why you need access.", map[string]string{
			"reason": fmt.Sprintf("Write at least %d characters: the emergency and why the record is needed.", minReason)})
	}
	// Fresh MFA: the second factor passed within the freshness window.
	if sess.MFAAt.IsZero() || now.Sub(sess.MFAAt) >= s.policy.Fresh || !s.policy.FreshAuth(sess.Auth(), now) {
		return Opened{}, signin.ErrNotFresh
	}
	p, err := s.users.ByID(ctx, t.ID, patientID)
	if err != nil || p.Role != access.RolePatient {
		return Opened{}, apperr.NotFoundError()
	}
	gid := id.NewAt(now)
	h, err := s.vault.Access(ctx, phi.Request{TenantID: t.ID, Subjects: []string{patientID}, Action: access.Write,
		Purpose: access.PurposeBreakGlass, Resource: "break_glass", ResourceID: gid, AuditAction: "break_glass.reason.write"})
	if err != nil {
		return Opened{}, err
	}
	ct, err := h.SealString(patientID, "break_glass", "reason_ct", gid, reason)
	if err != nil {
		return Opened{}, err
	}
	until := now.Add(lasts)
	if err := s.event(ctx, audit.Entry{TenantID: t.ID, Subjects: []string{patientID}, Action: "break_glass.start", ResourceType: "break_glass",
		ResourceID: gid, Severity: audit.High, Purpose: access.PurposeBreakGlass}); err != nil {
		return Opened{}, err
	}
	if err := s.links.InsertBreakGlass(ctx, BreakGlass{ID: gid, TenantID: t.ID, ActorID: sess.UserID, PatientID: patientID,
		ReasonCT: ct, CreatedAt: now, ExpiresAt: until}); err != nil {
		return Opened{}, err
	}
	return Opened{ID: gid, Until: until}, s.accounts.Alert(ctx, t, "security.break_glass", "break-glass grant")
}

// Policy is a brand's break-glass policy: how long a grant lasts and the
// shortest reason. Why only stricter than the code's: the brand's
// settings (approved changes, tenant.SetBreakGlassMinutes and
// tenant.SetBreakGlassReasonChars) may shorten the grant and ask for more,
// never loosen access.BreakGlassDuration or access.MinBreakGlassReason.
func Policy(t *tenant.Tenant) (time.Duration, int) {
	d, n := access.BreakGlassDuration, access.MinBreakGlassReason
	if t == nil {
		return d, n
	}
	if m, err := strconv.Atoi(t.Setting(tenant.SetBreakGlassMinutes)); err == nil && m > 0 && time.Duration(m)*time.Minute < d {
		d = time.Duration(m) * time.Minute
	}
	if c, err := strconv.Atoi(t.Setting(tenant.SetBreakGlassReasonChars)); err == nil && c > n && c <= 1000 {
		n = c
	}
	return d, n
}

// BreakGlassReview is one grant as the review queue shows it.
type BreakGlassReview struct {
	ID, ActorID, PatientID string
	// ActorName is the staff member's name (their email without one).
	ActorName phi.String
	// PatientName is the patient's name for a compliance officer; empty
	// for an admin, who holds no PHI by default (separation of duties).
	PatientName          phi.String
	Reason               phi.String
	CreatedAt, ExpiresAt time.Time
	ReviewedAt           time.Time
	Outcome              string
}

// Review outcomes.
const (
	ReviewJustified   = "justified"
	ReviewUnjustified = "not_justified"
)

func reviewer(ctx context.Context, tenantID string) (access.Actor, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.TenantID != tenantID || (a.Role != access.RoleCompliance && a.Role != access.RoleAdmin) {
		return a, apperr.DeniedError(errors.New("not a reviewer"))
	}
	return a, nil
}

// BreakGlassQueue lists a tenant's break-glass grants, unreviewed first, with
// their reasons opened for the reviewer (audited, purpose compliance).
func (s *Service) BreakGlassQueue(ctx context.Context, tenantID string) ([]BreakGlassReview, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := reviewer(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	rows, err := s.links.BreakGlassList(ctx, tenantID, 200)
	if err != nil {
		return nil, err
	}
	out := make([]BreakGlassReview, 0, len(rows))
	for _, b := range rows {
		h, err := s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{b.PatientID}, Action: access.Read,
			Purpose: access.PurposeCompliance, Resource: "break_glass", ResourceID: b.ID, AuditAction: "break_glass.reason.read"})
		if err != nil {
			return nil, err
		}
		reason, err := h.OpenString(b.PatientID, "break_glass", "reason_ct", b.ID, b.ReasonCT)
		if errors.Is(err, phi.ErrShredded) {
			reason = phi.NewString("(disposed of)")
		} else if err != nil {
			return nil, err
		}
		out = append(out, BreakGlassReview{ID: b.ID, ActorID: b.ActorID, PatientID: b.PatientID, Reason: reason, CreatedAt: b.CreatedAt,
			ExpiresAt: b.ExpiresAt, ReviewedAt: b.ReviewedAt, Outcome: b.ReviewNote})
	}
	// Names, not ids: the reviewer sees who broke the glass, and a compliance
	// officer also whose record was opened. Why not the admin: patient names
	// are PHI, and an admin holds none by default (DESIGN §1).
	ids := map[string]bool{}
	for _, r := range out {
		ids[r.ActorID] = true
		if a.Role == access.RoleCompliance {
			ids[r.PatientID] = true
		}
	}
	names, err := s.names(ctx, tenantID, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].ActorName = names[out[i].ActorID]
		if a.Role == access.RoleCompliance {
			out[i].PatientName = names[out[i].PatientID]
		}
	}
	return out, nil
}

// names opens the names of people (their email address when they gave no
// name) through one audited vault access, purpose compliance.
func (s *Service) names(ctx context.Context, tenantID string, ids map[string]bool) (map[string]phi.String, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	out := map[string]phi.String{}
	if len(ids) == 0 {
		return out, nil
	}
	users := make([]accounts.User, 0, len(ids))
	subjects := make([]string, 0, len(ids))
	for uid := range ids {
		u, err := s.users.ByID(ctx, tenantID, uid)
		if apperr.Is(err, apperr.NotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		users = append(users, u)
		subjects = append(subjects, u.ID)
	}
	if len(users) == 0 {
		return out, nil
	}
	h, err := s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: subjects, Action: access.Read,
		Purpose: access.PurposeCompliance, Resource: "user", AuditAction: "break_glass.names.read"})
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		col, ct := "name_ct", u.NameCT
		if ct == nil {
			col, ct = "email_ct", u.EmailCT
		}
		name, err := h.OpenString(u.ID, "users", col, u.ID, ct)
		if errors.Is(err, phi.ErrShredded) {
			name = phi.NewString("(disposed of)")
		} else if err != nil {
			return nil, err
		}
		out[u.ID] = name
	}
	return out, nil
}

// BreakGlassDue counts the tenant's break-glass grants that wait for a
// review, for the reviewers' staff home. It opens no reason (no PHI, so no
// vault access): only whether each grant was reviewed.
func (s *Service) BreakGlassDue(ctx context.Context, tenantID string) (int, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := reviewer(ctx, tenantID); err != nil {
		return 0, err
	}
	rows, err := s.links.BreakGlassList(ctx, tenantID, 200)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, b := range rows {
		if b.ReviewedAt.IsZero() {
			n++
		}
	}
	return n, nil
}

// ReviewBreakGlass records the reviewer's finding on a grant.
func (s *Service) ReviewBreakGlass(ctx context.Context, tenantID, grantID, outcome string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := reviewer(ctx, tenantID)
	if err != nil {
		return err
	}
	if outcome != ReviewJustified && outcome != ReviewUnjustified {
		return apperr.InvalidFields("Choose a finding.", map[string]string{"outcome": "Justified or not justified."})
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Action: "break_glass.review", ResourceType: "break_glass", ResourceID: grantID,
		Severity: audit.HighIf(outcome == ReviewUnjustified), Detail: outcome, Purpose: access.PurposeCompliance}); err != nil {
		return err
	}
	return notFound(s.links.ReviewBreakGlass(ctx, tenantID, grantID, a.ID, outcome, s.clock.Now()))
}

// FindPatient returns the id of the tenant's patient account with an email
// address, for staff who must name a patient (break-glass). Not found is the
// same 404 as anything else.
func (s *Service) FindPatient(ctx context.Context, tenantID, email string) (string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := accounts.CheckEmail(email); err != nil {
		return "", err
	}
	u, err := s.users.ByEmail(ctx, tenantID, s.emailIndex(tenantID, email))
	if err != nil || u.Role != access.RolePatient {
		return "", apperr.InvalidFields("No patient has that email address here.", map[string]string{"email": "Check the address."})
	}
	return u.ID, nil
}

// BreakGlassPatient returns the patient of one of the actor's live
// break-glass grants, for the pages the grant opens, and records the use:
// an event on the grant (high severity, purpose break_glass) whose reason
// the compliance review shows beside it, so every read under the grant is
// tied to the reason given for it. Another person's grant, another
// tenant's, an expired one and an unknown id are the same 404, audited as
// a denial.
func (s *Service) BreakGlassPatient(ctx context.Context, tenantID, grantID, use string) (string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.TenantID != tenantID || (a.Role != access.RoleClinician && a.Role != access.RolePharmacist) || !id.Valid(grantID) {
		return "", apperr.DeniedError(errors.New("no break-glass grant"))
	}
	patientID, until, err := s.links.BreakGlassGrant(ctx, tenantID, a.ID, grantID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return "", err
	}
	if err != nil || !s.clock.Now().Before(until) {
		if err := s.event(ctx, audit.Entry{TenantID: tenantID, Action: "break_glass.use", ResourceType: "break_glass", ResourceID: grantID,
			Outcome: audit.Denied, Detail: "no live grant of this actor", Purpose: access.PurposeBreakGlass}); err != nil {
			return "", err
		}
		return "", apperr.DeniedError(errors.New("no live break-glass grant"))
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{patientID}, Action: "break_glass.use", ResourceType: "break_glass",
		ResourceID: grantID, Severity: audit.High, Detail: use, Purpose: access.PurposeBreakGlass}); err != nil {
		return "", err
	}
	return patientID, nil
}

// LiveBreakGlass is the staff member's live break-glass grant for a patient,
// as the staff view of the patient shows it while it lasts.
type LiveBreakGlass struct {
	ID     string
	Reason phi.String
	Until  time.Time
}

// BreakGlassFor returns the live break-glass grant of the actor in ctx for a
// patient, with its reason opened (audited as break_glass.use under the
// grant, purpose break_glass, high severity), so that the page it opens says
// why it is open; ok is false when there is none (expired, none, not a care
// role).
func (s *Service) BreakGlassFor(ctx context.Context, tenantID, patientID string) (LiveBreakGlass, bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.TenantID != tenantID || (a.Role != access.RoleClinician && a.Role != access.RolePharmacist) {
		return LiveBreakGlass{}, false, nil
	}
	b, err := s.links.BreakGlassLatest(ctx, tenantID, a.ID, patientID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && !s.clock.Now().Before(b.ExpiresAt)) {
		return LiveBreakGlass{}, false, nil
	}
	if err != nil {
		return LiveBreakGlass{}, false, err
	}
	h, err := s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: access.Read,
		Purpose: access.PurposeBreakGlass, Resource: "break_glass", ResourceID: b.ID, AuditAction: "break_glass.use", High: true,
		Detail: "patient.view"})
	if err != nil {
		return LiveBreakGlass{}, false, err
	}
	reason, err := h.OpenString(patientID, "break_glass", "reason_ct", b.ID, b.ReasonCT)
	if err != nil {
		return LiveBreakGlass{}, false, err
	}
	return LiveBreakGlass{ID: b.ID, Reason: reason, Until: b.ExpiresAt}, true, nil
}
