package grants

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/tenant"
)

// OrgRole is an organisation-level role (issue 20 point 4), as stored: the
// account, a staff member of its home brand TenantID, acts with Role in
// every other brand of OrgID, one brand per request (the brand switcher).
type OrgRole struct {
	UserID    string
	TenantID  string
	OrgID     string
	Role      access.Role
	CreatedAt time.Time
}

// BrandShare is a patient's consent to share classes of their record with
// a sister brand, as stored. TenantID is the patient's own brand.
type BrandShare struct {
	ID             string
	TenantID       string
	PatientID      string
	TargetTenantID string
	Scopes         []access.DataClass
	CreatedAt      time.Time
}

// BrandStore keeps organisation roles and brand shares
// (internal/store.Links).
type BrandStore interface {
	// PutOrgRole gives an account its organisation role, replacing any.
	PutOrgRole(ctx context.Context, r OrgRole) error
	// DeleteOrgRole takes it away; NotFound when there is none.
	DeleteOrgRole(ctx context.Context, orgID, userID string) error
	// OrgRole returns an account's organisation role (tenantID "": whatever
	// its brand); NotFound when none.
	OrgRole(ctx context.Context, tenantID, userID string) (OrgRole, error)
	// OrgRoles lists an organisation's roles.
	OrgRoles(ctx context.Context, orgID string) ([]OrgRole, error)
	InsertBrandShare(ctx context.Context, b BrandShare) error
	// RevokeBrandShare ends a patient's live share; NotFound when none.
	RevokeBrandShare(ctx context.Context, tenantID, patientID, id string, now time.Time) error
	// BrandShares lists a patient's live shares.
	BrandShares(ctx context.Context, tenantID, patientID string) ([]BrandShare, error)
	// SharedWith lists the live shares a patient gave one other brand.
	SharedWith(ctx context.Context, tenantID, patientID, targetTenantID string) ([]BrandShare, error)
	// SharesTo lists the live shares other brands' patients gave
	// targetTenantID, oldest first, at most limit.
	SharesTo(ctx context.Context, targetTenantID string, limit int) ([]BrandShare, error)
	// CareTeam lists the staff of a brand with a current care
	// relationship with a patient.
	CareTeam(ctx context.Context, tenantID, patientID string) ([]string, error)
	// EndCare ends a care relationship.
	EndCare(ctx context.Context, tenantID, clinicianID, patientID string, now time.Time) error
}

// OrgOf returns the organisation a brand belongs to ("" for none).
type OrgOf func(ctx context.Context, tenantID string) (string, error)

// sisters reports whether two different brands belong to one organisation.
func (s *Service) sisters(ctx context.Context, a, b string) (bool, error) {
	if a == b || s.orgOf == nil {
		return false, nil
	}
	oa, err := s.orgOf(ctx, a)
	if err != nil || oa == "" {
		return false, err
	}
	ob, err := s.orgOf(ctx, b)
	return err == nil && ob == oa, err
}

// brandScopes returns what a patient of patientTenant shared with the
// actor's brand: nothing unless the two are sister brands of one
// organisation and the patient consented.
func (s *Service) brandScopes(ctx context.Context, a access.Actor, patientTenant, patientID string) ([]access.DataClass, error) {
	ctx = tenant.WithScope(ctx, a.TenantID)
	if s.brands == nil || !a.Role.Staff() {
		return nil, nil
	}
	ok, err := s.sisters(ctx, patientTenant, a.TenantID)
	if err != nil || !ok {
		return nil, err
	}
	shares, err := s.brands.SharedWith(ctx, patientTenant, patientID, a.TenantID)
	if err != nil {
		return nil, err
	}
	var out []access.DataClass
	for _, b := range shares {
		out = append(out, b.Scopes...)
	}
	return out, nil
}

// ShareWithBrand records the signed-in patient's consent to share classes
// of their record with a sister brand (targetTenantID) of their brand's
// organisation. Why a patient's own act only: a patient is a patient of
// one brand, and the other brand reaches nothing of them without it; the
// consent is audited in the patient's brand like a proxy grant. A brand
// outside the organisation answers like one that does not exist.
func (s *Service) ShareWithBrand(ctx context.Context, targetTenantID string, scopes []string) (BrandShare, error) {
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RolePatient || s.brands == nil {
		return BrandShare{}, apperr.DeniedError(errors.New("only patients share their record"))
	}
	sister, err := s.sisters(ctx, a.TenantID, targetTenantID)
	if err != nil {
		return BrandShare{}, err
	}
	if !sister {
		return BrandShare{}, apperr.InvalidFields("Choose a brand from the list.", map[string]string{"brand": "Not a brand you can share with."})
	}
	var classes []access.DataClass
	for _, sc := range scopes {
		if !slices.Contains(proxyScopes, access.DataClass(sc)) {
			return BrandShare{}, apperr.InvalidFields("Choose what to share from the list.", map[string]string{"scopes": "Unknown choice."})
		}
		if !slices.Contains(classes, access.DataClass(sc)) {
			classes = append(classes, access.DataClass(sc))
		}
	}
	if len(classes) == 0 {
		return BrandShare{}, apperr.InvalidFields("Choose what to share.", map[string]string{"scopes": "Choose at least one."})
	}
	now := s.clock.Now()
	b := BrandShare{ID: id.NewAt(now), TenantID: a.TenantID, PatientID: a.ID, TargetTenantID: targetTenantID, Scopes: classes, CreatedAt: now}
	if err := s.event(ctx, audit.Entry{TenantID: a.TenantID, Subjects: []string{a.ID}, Action: "brand_share.grant", ResourceType: "brand_share",
		ResourceID: b.ID, Purpose: access.PurposeSelf, Detail: "brand=" + targetTenantID + " scopes=" + joinClasses(classes)}); err != nil {
		return BrandShare{}, err
	}
	return b, s.brands.InsertBrandShare(ctx, b)
}

// RevokeBrandShare ends one of the signed-in patient's shares, audited; a
// share that is not theirs answers like one that does not exist.
func (s *Service) RevokeBrandShare(ctx context.Context, shareID string) error {
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RolePatient || s.brands == nil {
		return apperr.DeniedError(errors.New("only patients revoke their shares"))
	}
	if err := s.event(ctx, audit.Entry{TenantID: a.TenantID, Subjects: []string{a.ID}, Action: "brand_share.revoke", ResourceType: "brand_share",
		ResourceID: shareID, Purpose: access.PurposeSelf}); err != nil {
		return err
	}
	return notFound(s.brands.RevokeBrandShare(ctx, a.TenantID, a.ID, shareID, s.clock.Now()))
}

// BrandShares lists the signed-in patient's live shares.
func (s *Service) BrandShares(ctx context.Context) ([]BrandShare, error) {
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RolePatient || s.brands == nil {
		return nil, apperr.DeniedError(errors.New("only patients list their shares"))
	}
	return s.brands.BrandShares(ctx, a.TenantID, a.ID)
}

// AddSharedCare records a care relationship between a staff member of the
// admin's brand and a patient of a sister brand who shares with it. Why
// only then: without the patient's consent the other brand must not even
// learn that the patient exists, so a patient who did not share answers
// like one that does not exist.
func (s *Service) AddSharedCare(ctx context.Context, tenantID, staffID, patientTenantID, patientID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RoleAdmin || a.TenantID != tenantID {
		return apperr.DeniedError(errors.New("only an admin assigns care"))
	}
	scopes, err := s.brandScopes(ctx, access.Actor{ID: a.ID, Role: access.RoleAdmin, TenantID: tenantID}, patientTenantID, patientID)
	if err != nil {
		return err
	}
	if len(scopes) == 0 {
		return apperr.NotFoundError()
	}
	if ok, err := s.staffOf(ctx, tenantID, staffID); err != nil || !ok {
		return notFoundOr(err)
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{patientID}, Action: "care.add", ResourceType: "care",
		ResourceID: staffID, Purpose: access.PurposeOperations, Detail: "shared by brand " + patientTenantID}); err != nil {
		return err
	}
	return s.links.AddCare(ctx, tenantID, staffID, patientID, s.clock.Now())
}

// staffOf reports whether an account works in a brand: a staff account of
// the brand, or one with an organisation role in the brand's organisation.
func (s *Service) staffOf(ctx context.Context, tenantID, userID string) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if u, err := s.users.ByID(ctx, tenantID, userID); err == nil {
		return u.Role.Staff(), nil
	} else if !apperr.Is(err, apperr.NotFound) {
		return false, err
	}
	r, err := s.brands.OrgRole(ctx, "", userID)
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	org, err := s.orgOf(ctx, tenantID)
	return err == nil && org != "" && org == r.OrgID, err
}

// notFoundOr returns err, or the 404 of absence when there is none.
func notFoundOr(err error) error {
	if err != nil {
		return err
	}
	return apperr.NotFoundError()
}

// ActingRole returns the role an account of home brand tenantID acts with in
// brand actIn, and whether it may act there at all: its organisation role
// when actIn is another brand of the same organisation. Why per request and
// looked up each time: revoking the role, or moving a brand out of the
// organisation, takes effect on the next request.
func (s *Service) ActingRole(ctx context.Context, tenantID, userID, actIn string) (access.Role, bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.brands == nil || actIn == tenantID {
		return "", false, nil
	}
	r, err := s.brands.OrgRole(ctx, tenantID, userID)
	if apperr.Is(err, apperr.NotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	oa, err := s.orgOf(ctx, tenantID)
	if err != nil || oa != r.OrgID {
		return "", false, err
	}
	ob, err := s.orgOf(ctx, actIn)
	if err != nil || ob != r.OrgID || !r.Role.Staff() {
		return "", false, err
	}
	return r.Role, true, nil
}

// OrgRoleOf returns an account's organisation role; NotFound when none.
func (s *Service) OrgRoleOf(ctx context.Context, tenantID, userID string) (OrgRole, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.brands == nil {
		return OrgRole{}, apperr.NotFoundError()
	}
	return s.brands.OrgRole(ctx, tenantID, userID)
}

// GrantOrgRole gives the staff account with an address in a brand
// (tenantID) of org an organisation-level role (salve org role grant),
// audited in the account's brand, and returns the account's id. The account
// must be staff: a patient is a patient of one brand.
func (s *Service) GrantOrgRole(ctx context.Context, orgID, tenantID, email string, role access.Role) (string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.brands == nil {
		return "", errors.New("no organisation roles in this store")
	}
	if !role.Staff() {
		return "", apperr.InvalidFields("Choose a staff role.", map[string]string{"role": "Not a staff role."})
	}
	u, err := s.users.ByEmail(ctx, tenantID, s.emailIndex(tenantID, email))
	if err != nil {
		return "", notFound(err)
	}
	if !u.Role.Staff() {
		return "", apperr.InvalidFields("Only staff accounts hold organisation roles.", map[string]string{"email": "A patient's account."})
	}
	org, err := s.orgOf(ctx, tenantID)
	if err != nil {
		return "", err
	}
	if org == "" || org != orgID {
		return "", apperr.InvalidFields("The account's brand is not in that organisation.", map[string]string{"tenant": "Another organisation's brand."})
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{u.ID}, Action: "org_role.grant", ResourceType: "org_role",
		ResourceID: u.ID, Purpose: access.PurposeOperations, Detail: "org=" + orgID + " role=" + string(role)}); err != nil {
		return "", err
	}
	return u.ID, s.brands.PutOrgRole(ctx, OrgRole{UserID: u.ID, TenantID: tenantID, OrgID: orgID, Role: role, CreatedAt: s.clock.Now()})
}

// RevokeOrgRole takes the organisation role of the account with an address
// in a brand away, audited; NotFound when it has none there.
func (s *Service) RevokeOrgRole(ctx context.Context, orgID, tenantID, email string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.brands == nil {
		return errors.New("no organisation roles in this store")
	}
	u, err := s.users.ByEmail(ctx, tenantID, s.emailIndex(tenantID, email))
	if err != nil {
		return notFound(err)
	}
	if _, err := s.brands.OrgRole(ctx, tenantID, u.ID); err != nil {
		return notFound(err)
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{u.ID}, Action: "org_role.revoke", ResourceType: "org_role",
		ResourceID: u.ID, Purpose: access.PurposeOperations, Detail: "org=" + orgID}); err != nil {
		return err
	}
	return notFound(s.brands.DeleteOrgRole(ctx, orgID, u.ID))
}

// RevokeOrgRoleOf takes an account's organisation role of orgID away, by
// the account's id (the organisation's page lists ids, not addresses),
// audited in the account's brand; NotFound when it holds none there.
func (s *Service) RevokeOrgRoleOf(ctx context.Context, orgID, userID string) error {
	if s.brands == nil {
		return apperr.NotFoundError()
	}
	r, err := s.brands.OrgRole(ctx, "", userID)
	if err != nil {
		return notFound(err)
	}
	if r.OrgID != orgID {
		return apperr.NotFoundError()
	}
	if err := s.event(ctx, audit.Entry{TenantID: r.TenantID, Subjects: []string{userID}, Action: "org_role.revoke", ResourceType: "org_role",
		ResourceID: userID, Purpose: access.PurposeOperations, Detail: "org=" + orgID}); err != nil {
		return err
	}
	return notFound(s.brands.DeleteOrgRole(ctx, orgID, userID))
}

// OrgRoles lists an organisation's roles.
func (s *Service) OrgRoles(ctx context.Context, orgID string) ([]OrgRole, error) {
	if s.brands == nil {
		return nil, nil
	}
	return s.brands.OrgRoles(ctx, orgID)
}

// RecordBrandSwitch audits a member of staff's choice of the brand they act
// in (the brand switcher), in the log of the brand they leave and of the
// brand they enter, each with the role they act with there.
func (s *Service) RecordBrandSwitch(ctx context.Context, userID string, from, to string, fromRole, toRole access.Role) error {
	for _, e := range []audit.Entry{
		{TenantID: from, ActorID: userID, ActorRole: fromRole, Action: "brand.switch", ResourceType: "brand", ResourceID: to,
			Purpose: access.PurposeOperations, Detail: "leave"},
		{TenantID: to, ActorID: userID, ActorRole: toRole, Action: "brand.switch", ResourceType: "brand", ResourceID: to,
			Purpose: access.PurposeOperations, Detail: "enter from " + from},
	} {
		if err := s.event(ctx, e); err != nil {
			return err
		}
	}
	return nil
}
