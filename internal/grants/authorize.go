package grants

import (
	"context"
	"errors"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/tenant"
)

// Authorize decides whether the actor in ctx may act on a patient's data of
// a class, with the facts looked up from the PHI store (care relationship,
// proxy grant, break-glass grant). A denial is audited and returned as the
// same 404 as a missing record. The decision's purpose goes with the vault
// request that follows.
func (s *Service) Authorize(ctx context.Context, tenantID, patientID string, class access.DataClass, act access.Action) (access.Decision, error) {
	ctx = tenant.WithScope(ctx, tenantID)
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

// Facts looks up what the policy needs to know about the actor in ctx and a
// patient (care relationship, proxy grant, break-glass grant), for a domain
// service that makes its own access.Decide (orders.Deps.Facts).
func (s *Service) Facts(ctx context.Context, tenantID, patientID string) (access.Facts, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok {
		return access.Facts{}, nil
	}
	return s.facts(ctx, a, tenantID, patientID)
}

func (s *Service) facts(ctx context.Context, a access.Actor, tenantID, patientID string) (access.Facts, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var f access.Facts
	if a.TenantID != tenantID {
		// Another brand: only the patient's consent to share with the
		// actor's brand, and the actor's care relationship recorded there.
		var err error
		if f.BrandScopes, err = s.brandScopes(ctx, a, tenantID, patientID); err != nil || len(f.BrandScopes) == 0 {
			return f, err
		}
		f.Care, err = s.links.HasCare(ctx, a.TenantID, a.ID, patientID)
		return f, err
	}
	if a.ID == patientID {
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
				f.ProxyScopes = append(f.ProxyScopes, g.Scopes...)
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
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RoleAdmin || a.TenantID != tenantID {
		return apperr.DeniedError(errors.New("only an admin assigns care"))
	}
	c, err := s.users.ByID(ctx, tenantID, clinicianID)
	if err != nil || c.Role != access.RoleClinician {
		return apperr.NotFoundError()
	}
	p, err := s.users.ByID(ctx, tenantID, patientID)
	if err != nil || p.Role != access.RolePatient {
		return apperr.NotFoundError()
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{patientID}, Action: "care.add", ResourceType: "care",
		ResourceID: clinicianID, Purpose: access.PurposeOperations}); err != nil {
		return err
	}
	return s.links.AddCare(ctx, tenantID, clinicianID, patientID, s.clock.Now())
}

// CareFromBooking records the care relationship an appointment creates: a
// patient (or their proxy) booked a clinician of the tenant, so that
// clinician is to treat them and may see their clinical record
// (access.Decide's care rule). Why not AddCare's admin-only rule: the
// patient's own booking is the consent and the reason; the appointments
// service calls this only after it decided the actor may write the
// patient's clinical data. The event is audited with purpose treatment.
func (s *Service) CareFromBooking(ctx context.Context, tenantID, clinicianID, patientID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, ok := access.ActorFrom(ctx); !ok {
		return apperr.DeniedError(errors.New("no actor"))
	}
	c, err := s.users.ByID(ctx, tenantID, clinicianID)
	if err != nil || c.Role != access.RoleClinician {
		return apperr.NotFoundError()
	}
	p, err := s.users.ByID(ctx, tenantID, patientID)
	if err != nil || p.Role != access.RolePatient {
		return apperr.NotFoundError()
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{patientID}, Action: "care.add", ResourceType: "care",
		ResourceID: clinicianID, Purpose: access.PurposeTreatment, Detail: "booking"}); err != nil {
		return err
	}
	return s.links.AddCare(ctx, tenantID, clinicianID, patientID, s.clock.Now())
}

// Readable returns the classes of a patient's data the actor in ctx may
// read, from one look-up of the facts: the dashboard shows only the widgets
// of these classes. None at all (another patient, no grant) is audited as a
// denial and answers the same 404 as a missing record.
func (s *Service) Readable(ctx context.Context, tenantID, patientID string) ([]access.DataClass, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok {
		return nil, apperr.DeniedError(errors.New("no actor"))
	}
	facts, err := s.facts(ctx, a, tenantID, patientID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var out []access.DataClass
	for _, c := range access.DataClasses {
		if access.Decide(a, access.Request{TenantID: tenantID, PatientID: patientID, Class: c, Action: access.Read}, facts, now).Allowed {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{patientID}, Action: "dashboard.read",
			ResourceType: "patient", ResourceID: patientID, Outcome: audit.Denied, Detail: "no readable class"}); err != nil {
			return nil, err
		}
		return nil, apperr.DeniedError(access.ErrDenied)
	}
	return out, nil
}
