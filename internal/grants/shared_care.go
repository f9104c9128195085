package grants

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/tenant"
)

// MaxSharedPatients bounds the patients the sister-brand pages list.
const MaxSharedPatients = 500

// SharedPatient is a patient of a sister brand who shares classes of their
// record with the actor's brand (issue 20 point 4): their brand, their id,
// what they share (all their live shares with this brand together) and
// since when. Care lists the staff of the actor's brand with a care
// relationship with them (the admin's page only). No name or address: the
// staff page opens those through the record, audited.
type SharedPatient struct {
	PatientTenantID, PatientID string
	Scopes                     []access.DataClass
	Since                      time.Time
	Care                       []string
}

// sharedTo lists the live shares with tenantID of patients of its sister
// brands, one per patient, oldest first. A share from a brand that is no
// longer in the organisation is left out, as the access rule leaves it out.
func (s *Service) sharedTo(ctx context.Context, tenantID string) ([]SharedPatient, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.brands == nil {
		return nil, nil
	}
	shares, err := s.brands.SharesTo(ctx, tenantID, MaxSharedPatients)
	if err != nil {
		return nil, err
	}
	var out []SharedPatient
	at := map[string]int{}
	sister := map[string]bool{}
	for _, b := range shares {
		ok, seen := sister[b.TenantID]
		if !seen {
			if ok, err = s.sisters(ctx, b.TenantID, tenantID); err != nil {
				return nil, err
			}
			sister[b.TenantID] = ok
		}
		if !ok {
			continue
		}
		key := b.TenantID + "/" + b.PatientID
		i, dup := at[key]
		if !dup {
			at[key] = len(out)
			out = append(out, SharedPatient{PatientTenantID: b.TenantID, PatientID: b.PatientID, Since: b.CreatedAt})
			i = len(out) - 1
		}
		for _, c := range b.Scopes {
			if !slices.Contains(out[i].Scopes, c) {
				out[i].Scopes = append(out[i].Scopes, c)
			}
		}
	}
	return out, nil
}

// SharedWithMe lists the patients of sister brands who share with the
// brand the staff member in ctx acts in and with whom they have a care
// relationship: the patients whose shared record they may open (what they
// read of it is still decided per class by access.Decide). Anyone else but
// staff is refused like absence.
func (s *Service) SharedWithMe(ctx context.Context) ([]SharedPatient, error) {
	a, ok := access.ActorFrom(ctx)
	if !ok || !a.Role.Staff() {
		return nil, apperr.DeniedError(errors.New("only staff open shared records"))
	}
	all, err := s.sharedTo(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	var out []SharedPatient
	for _, p := range all {
		care, err := s.links.HasCare(ctx, a.TenantID, a.ID, p.PatientID)
		if err != nil {
			return nil, err
		}
		if care {
			out = append(out, p)
		}
	}
	return out, nil
}

// SharedCare lists, for the admin of tenantID, the patients of sister
// brands who share with it and who on its staff cares for each: the page
// where care is assigned. Only the brand's admin.
func (s *Service) SharedCare(ctx context.Context, tenantID string) ([]SharedPatient, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RoleAdmin || a.TenantID != tenantID {
		return nil, apperr.DeniedError(errors.New("only an admin assigns care"))
	}
	out, err := s.sharedTo(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Care, err = s.brands.CareTeam(ctx, tenantID, out[i].PatientID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RemoveSharedCare ends a care relationship that tenantID's admin assigned
// with a patient of a sister brand, audited in the admin's brand. Ending
// care needs no consent (it only takes access away), but a relationship
// that does not exist, or a patient of the admin's own brand, answers like
// absence.
func (s *Service) RemoveSharedCare(ctx context.Context, tenantID, staffID, patientTenantID, patientID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RoleAdmin || a.TenantID != tenantID {
		return apperr.DeniedError(errors.New("only an admin ends care"))
	}
	if s.brands == nil {
		return apperr.NotFoundError()
	}
	sister, err := s.sisters(ctx, patientTenantID, tenantID)
	if err != nil || !sister {
		return notFoundOr(err)
	}
	if p, err := s.users.ByID(ctx, patientTenantID, patientID); err != nil || p.Role != access.RolePatient {
		return notFoundOr(nil)
	}
	care, err := s.links.HasCare(ctx, tenantID, staffID, patientID)
	if err != nil || !care {
		return notFoundOr(err)
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{patientID}, Action: "care.end", ResourceType: "care",
		ResourceID: staffID, Purpose: access.PurposeOperations, Detail: "shared by brand " + patientTenantID}); err != nil {
		return err
	}
	return s.brands.EndCare(ctx, tenantID, staffID, patientID, s.clock.Now())
}

// SharedRead reports whether a staff member (a) of one brand may open,
// read-only, the PHI of subjects of another brand (tenantID): each is a
// patient of a sister brand who consented to share with a's brand, and a
// has a care relationship with each. It is the vault's second wall
// (vault.AllowShared); which classes are read is decided by access.Decide
// before the vault is asked.
func (s *Service) SharedRead(ctx context.Context, a access.Actor, tenantID string, subjects []string) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.brands == nil || !a.Role.Staff() || a.TenantID == tenantID || len(subjects) == 0 {
		return false, nil
	}
	for _, pid := range subjects {
		scopes, err := s.brandScopes(ctx, a, tenantID, pid)
		if err != nil || len(scopes) == 0 {
			return false, err
		}
		care, err := s.links.HasCare(ctx, a.TenantID, a.ID, pid)
		if err != nil || !care {
			return false, err
		}
	}
	return true, nil
}
