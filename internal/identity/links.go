package identity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
)

// Authorize decides whether the actor in ctx may act on a patient's data of
// a class, with the facts looked up from the PHI store (care relationship,
// proxy grant, break-glass grant). A denial is audited and returned as the
// same 404 as a missing record. The decision's purpose goes with the vault
// request that follows.
func (s *Service) Authorize(ctx context.Context, tenantID, patientID string, class access.DataClass, act access.Action) (access.Decision, error) {
	a, ok := access.ActorFrom(ctx)
	if !ok {
		return access.Decision{}, apperr.DeniedError(errors.New("no actor"))
	}
	facts, err := s.facts(ctx, a, tenantID, patientID)
	if err != nil {
		return access.Decision{}, err
	}
	d := access.Decide(a, access.Request{TenantID: tenantID, PatientID: patientID, Class: class, Action: act}, facts, s.clock.Now())
	if !d.Allowed {
		if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{patientID}, Action: string(class) + "." + string(act),
			ResourceType: "patient", ResourceID: patientID, Outcome: audit.Denied, Detail: d.Reason, Purpose: d.Purpose}); err != nil {
			return d, err
		}
		return d, apperr.DeniedError(d.Err())
	}
	return d, nil
}

func (s *Service) facts(ctx context.Context, a access.Actor, tenantID, patientID string) (access.Facts, error) {
	var f access.Facts
	if a.TenantID != tenantID || a.ID == patientID {
		return f, nil
	}
	var err error
	switch a.Role {
	case access.RoleClinician:
		if f.Care, err = s.links.HasCare(ctx, tenantID, a.ID, patientID); err != nil {
			return f, err
		}
	case access.RolePatient:
		grants, err := s.links.Proxies(ctx, tenantID, a.ID, true)
		if err != nil {
			return f, err
		}
		for _, g := range grants {
			if g.PatientID == patientID {
				for _, sc := range g.Scopes {
					f.ProxyScopes = append(f.ProxyScopes, access.DataClass(sc))
				}
			}
		}
	}
	if a.Role == access.RoleClinician || a.Role == access.RolePharmacist {
		if f.BreakGlassUntil, err = s.links.BreakGlassUntil(ctx, tenantID, a.ID, patientID); err != nil {
			return f, err
		}
	}
	return f, nil
}

// AddCare records a clinician's care relationship with a patient. Only an
// admin may (assignments are an operational decision, audited).
func (s *Service) AddCare(ctx context.Context, tenantID, clinicianID, patientID string) error {
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RoleAdmin || a.TenantID != tenantID {
		return apperr.DeniedError(errors.New("only an admin assigns care"))
	}
	c, err := s.users.ByID(ctx, tenantID, clinicianID)
	if err != nil || c.Role != string(access.RoleClinician) {
		return apperr.NotFoundError()
	}
	p, err := s.users.ByID(ctx, tenantID, patientID)
	if err != nil || p.Role != string(access.RolePatient) {
		return apperr.NotFoundError()
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{patientID}, Action: "care.add", ResourceType: "care",
		ResourceID: clinicianID, Purpose: access.PurposeOperations}); err != nil {
		return err
	}
	return s.links.AddCare(ctx, tenantID, clinicianID, patientID, s.clock.Now())
}

// proxyScopes are the classes a patient may grant a caregiver. Never their
// account security (sessions, factors): a proxy acts for them, never as them.
var proxyScopes = []access.DataClass{access.DataContact, access.DataAddress, access.DataOrders, access.DataRx,
	access.DataClinical, access.DataDevices, access.DataBilling, access.DataMessages}

// ProxyScopes lists what a patient may grant.
func ProxyScopes() []access.DataClass { return slices.Clone(proxyScopes) }

// Proxy is a grant as the patient's page shows it.
type Proxy struct {
	ID     string
	Email  phi.String
	Scopes []access.DataClass
	Since  time.Time
}

// GrantProxy lets the signed-in patient give another patient account of the
// tenant, found by its email address, access to some of their data.
func (s *Service) GrantProxy(ctx context.Context, email string, scopes []string) error {
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RolePatient {
		return apperr.DeniedError(errors.New("only patients grant proxies"))
	}
	var classes []string
	for _, sc := range scopes {
		if !slices.Contains(proxyScopes, access.DataClass(sc)) {
			return apperr.InvalidFields("Choose what to share from the list.", map[string]string{"scopes": "Unknown choice."})
		}
		if !slices.Contains(classes, sc) {
			classes = append(classes, sc)
		}
	}
	if len(classes) == 0 {
		return apperr.InvalidFields("Choose what to share.", map[string]string{"scopes": "Choose at least one."})
	}
	if err := CheckEmail(email); err != nil {
		return err
	}
	p, err := s.users.ByEmail(ctx, a.TenantID, s.emailIndex(a.TenantID, email))
	if err != nil || p.Role != string(access.RolePatient) || p.Status != "active" || p.ID == a.ID {
		return apperr.InvalidFields("We could not find that account.", map[string]string{"email": "The person needs their own account here first."})
	}
	gid := id.NewAt(s.clock.Now())
	if err := s.event(ctx, audit.Entry{TenantID: a.TenantID, Subjects: []string{a.ID, p.ID}, Action: "proxy.grant", ResourceType: "proxy",
		ResourceID: gid, Detail: "scopes=" + strings.Join(classes, ",")}); err != nil {
		return err
	}
	return s.links.InsertProxy(ctx, store.ProxyGrant{ID: gid, TenantID: a.TenantID, PatientID: a.ID, ProxyID: p.ID, Scopes: classes,
		CreatedAt: s.clock.Now()})
}

// RevokeProxy ends one of the signed-in patient's grants.
func (s *Service) RevokeProxy(ctx context.Context, grantID string) error {
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RolePatient {
		return apperr.DeniedError(errors.New("only patients revoke proxies"))
	}
	if err := s.event(ctx, audit.Entry{TenantID: a.TenantID, Subjects: []string{a.ID}, Action: "proxy.revoke", ResourceType: "proxy",
		ResourceID: grantID}); err != nil {
		return err
	}
	return notFound(s.links.RevokeProxy(ctx, a.TenantID, a.ID, grantID, s.clock.Now()))
}

// Proxies lists who may act for the signed-in patient, with their addresses
// opened (the grantee's address is the grantee's PHI, shown to the grantor
// who typed it; audited).
func (s *Service) Proxies(ctx context.Context) ([]Proxy, error) {
	a, ok := access.ActorFrom(ctx)
	if !ok {
		return nil, apperr.DeniedError(errors.New("no actor"))
	}
	grants, err := s.links.Proxies(ctx, a.TenantID, a.ID, false)
	if err != nil || len(grants) == 0 {
		return nil, err
	}
	out := make([]Proxy, 0, len(grants))
	for _, g := range grants {
		u, err := s.users.ByID(ctx, a.TenantID, g.ProxyID)
		if err != nil {
			continue
		}
		email, err := s.openEmail(ctx, u, "proxy.read")
		if err != nil {
			return nil, err
		}
		p := Proxy{ID: g.ID, Email: email, Since: g.CreatedAt}
		for _, sc := range g.Scopes {
			p.Scopes = append(p.Scopes, access.DataClass(sc))
		}
		out = append(out, p)
	}
	return out, nil
}

// BreakGlass opens a patient's clinical record to a clinician or pharmacist
// without a care relationship, for access.BreakGlassDuration. It needs a
// stated reason (at least access.MinBreakGlassReason characters, sealed under
// the patient: it may describe their condition) and a second factor passed in
// the last few minutes. It raises a high-severity event, alerts the tenant's
// security contact and waits in the compliance review queue.
func (s *Service) BreakGlass(ctx context.Context, t *tenant.Tenant, sess Session, patientID, reason string) (time.Time, error) {
	ctx = acting(ctx, sess)
	now := s.clock.Now()
	if sess.Role != access.RoleClinician && sess.Role != access.RolePharmacist {
		return time.Time{}, apperr.DeniedError(fmt.Errorf("%s may not break the glass", sess.Role))
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) < access.MinBreakGlassReason || utf8.RuneCountInString(reason) > 1000 {
		return time.Time{}, apperr.InvalidFields("Say why you need access.", map[string]string{
			"reason": fmt.Sprintf("Write at least %d characters: the emergency and why the record is needed.", access.MinBreakGlassReason)})
	}
	// Fresh MFA: the second factor passed within the freshness window.
	if sess.MFAAt.IsZero() || now.Sub(sess.MFAAt) >= s.policy.Fresh || !s.policy.FreshAuth(sess.auth(), now) {
		return time.Time{}, ErrNotFresh
	}
	p, err := s.users.ByID(ctx, t.ID, patientID)
	if err != nil || p.Role != string(access.RolePatient) {
		return time.Time{}, apperr.NotFoundError()
	}
	gid := id.NewAt(now)
	h, err := s.vault.Access(ctx, phi.Request{TenantID: t.ID, Subjects: []string{patientID}, Action: access.Write,
		Purpose: access.PurposeBreakGlass, Resource: "break_glass", ResourceID: gid, AuditAction: "break_glass.reason.write"})
	if err != nil {
		return time.Time{}, err
	}
	ct, err := h.SealString(patientID, "break_glass", "reason_ct", gid, reason)
	if err != nil {
		return time.Time{}, err
	}
	until := now.Add(access.BreakGlassDuration)
	if err := s.event(ctx, audit.Entry{TenantID: t.ID, Subjects: []string{patientID}, Action: "break_glass.start", ResourceType: "break_glass",
		ResourceID: gid, Severity: audit.High, Purpose: access.PurposeBreakGlass}); err != nil {
		return time.Time{}, err
	}
	if err := s.links.InsertBreakGlass(ctx, store.BreakGlass{ID: gid, TenantID: t.ID, ActorID: sess.UserID, PatientID: patientID,
		ReasonCT: ct, CreatedAt: now, ExpiresAt: until}); err != nil {
		return time.Time{}, err
	}
	return until, s.alert(ctx, t, "security.break_glass", "break-glass grant")
}

// BreakGlassReview is one grant as the review queue shows it.
type BreakGlassReview struct {
	ID, ActorID, PatientID string
	Reason                 phi.String
	CreatedAt, ExpiresAt   time.Time
	ReviewedAt             time.Time
	Outcome                string
}

// Review outcomes.
const (
	ReviewJustified   = "justified"
	ReviewUnjustified = "not_justified"
)

func reviewer(ctx context.Context, tenantID string) (access.Actor, error) {
	a, ok := access.ActorFrom(ctx)
	if !ok || a.TenantID != tenantID || (a.Role != access.RoleCompliance && a.Role != access.RoleAdmin) {
		return a, apperr.DeniedError(errors.New("not a reviewer"))
	}
	return a, nil
}

// BreakGlassQueue lists a tenant's break-glass grants, unreviewed first, with
// their reasons opened for the reviewer (audited, purpose compliance).
func (s *Service) BreakGlassQueue(ctx context.Context, tenantID string) ([]BreakGlassReview, error) {
	if _, err := reviewer(ctx, tenantID); err != nil {
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
	return out, nil
}

// ReviewBreakGlass records the reviewer's finding on a grant.
func (s *Service) ReviewBreakGlass(ctx context.Context, tenantID, grantID, outcome string) error {
	a, err := reviewer(ctx, tenantID)
	if err != nil {
		return err
	}
	if outcome != ReviewJustified && outcome != ReviewUnjustified {
		return apperr.InvalidFields("Choose a finding.", map[string]string{"outcome": "Justified or not justified."})
	}
	sev := audit.Normal
	if outcome == ReviewUnjustified {
		sev = audit.High
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Action: "break_glass.review", ResourceType: "break_glass", ResourceID: grantID,
		Severity: sev, Detail: outcome, Purpose: access.PurposeCompliance}); err != nil {
		return err
	}
	return notFound(s.links.ReviewBreakGlass(ctx, tenantID, grantID, a.ID, outcome, s.clock.Now()))
}

// FindPatient returns the id of the tenant's patient account with an email
// address, for staff who must name a patient (break-glass). Not found is the
// same 404 as anything else.
func (s *Service) FindPatient(ctx context.Context, tenantID, email string) (string, error) {
	if err := CheckEmail(email); err != nil {
		return "", err
	}
	u, err := s.users.ByEmail(ctx, tenantID, s.emailIndex(tenantID, email))
	if err != nil || u.Role != string(access.RolePatient) {
		return "", apperr.InvalidFields("No patient has that email address here.", map[string]string{"email": "Check the address."})
	}
	return u.ID, nil
}
