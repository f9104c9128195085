package patients

import (
	"context"
	"errors"
	"slices"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/phi"
)

// ViewShared returns the record of a patient of a sister brand
// (patientTenantID) for the staff member in ctx, who acts in their own brand
// (issue 20 point 4): read-only, and only the sections whose class the
// patient shared with that brand and the staff member's role reads, with a
// care relationship their admin assigned (access.Decide's sister-brand rule,
// through grants; no other path). Contact details head the page only when
// they are among those classes. Nothing is ever opened by break-glass
// across brands. A patient who shares nothing the role reads, an unknown
// id, or a patient of the staff member's own brand (their page is
// /staff/patients/{id}) answer like absence; the denial is audited in the
// patient's brand, as is the view (patient.view, the vault's event) and
// each section's own reads.
func (s *Service) ViewShared(ctx context.Context, patientTenantID, patientID string) (*Record, error) {
	a, ok := access.ActorFrom(ctx)
	if !ok || !slices.Contains(Roles, a.Role) || a.TenantID == patientTenantID || patientTenantID == "" {
		return nil, apperr.DeniedError(errors.New("not a shared record"))
	}
	f, err := s.d.Grants.Facts(ctx, patientTenantID, patientID)
	if err != nil {
		return nil, err
	}
	now := s.d.Clock.Now()
	allowed := func(c access.DataClass) access.Decision {
		return access.Decide(a, access.Request{TenantID: patientTenantID, PatientID: patientID, Class: c, Action: access.Read}, f, now)
	}
	// The class that opens the page: contact when shared, else the first
	// shared class the role reads; none is the audited 404.
	open := access.DataContact
	if !allowed(open).Allowed {
		for _, c := range access.DataClasses {
			if allowed(c).Allowed {
				open = c
				break
			}
		}
	}
	d, err := s.d.Grants.Authorize(ctx, patientTenantID, patientID, open, access.Read)
	if err != nil {
		return nil, err
	}
	u, err := s.d.Users.ByID(ctx, patientTenantID, patientID)
	if err != nil || u.Role != access.RolePatient {
		return nil, apperr.NotFoundError()
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: patientTenantID, Subjects: []string{u.ID}, Action: access.Read, Purpose: d.Purpose,
		Resource: "patient", ResourceID: u.ID, AuditAction: "patient.view", Detail: "role=" + string(a.Role) + " shared with brand " + a.TenantID})
	if err != nil {
		return nil, err
	}
	rec := &Record{ID: u.ID, Purpose: d.Purpose}
	if open == access.DataContact {
		c, err := contact(h, u)
		if err != nil {
			return nil, err
		}
		rec.Name, rec.Email = c.Name, c.Email
	}
	for _, sec := range Sections {
		src := s.d.Sources[sec.Key]
		if src == nil || !allowed(sec.Class).Allowed {
			continue
		}
		sum, err := src.Summary(ctx, patientTenantID, u.ID)
		if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Denied) {
			continue
		}
		if err != nil {
			return nil, err
		}
		// Read-only, and the links lead to pages of the patient's brand,
		// which the staff member cannot open: none.
		for i := range sum.Lines {
			sum.Lines[i].Href, sum.Lines[i].Action = "", nil
		}
		rec.Sections = append(rec.Sections, Section{SectionSpec: sec, Summary: sum})
	}
	return rec, nil
}
