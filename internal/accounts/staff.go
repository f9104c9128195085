package accounts

import (
	"context"
	"errors"
	"strings"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// StaffList returns a tenant's staff accounts with their email addresses and
// names opened (one audited vault access for the whole list), and how many
// patient accounts there are. Patients are counted, not listed: an admin has
// no business with patients' identities (minimum necessary).
func (s *Service) StaffList(ctx context.Context, tenantID string) ([]Account, int, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.users.List(ctx, tenantID, "", 10000)
	if err != nil {
		return nil, 0, err
	}
	var staff []User
	patients := 0
	for _, u := range rows {
		if u.Role.Staff() {
			staff = append(staff, u)
		} else {
			patients++
		}
	}
	if len(staff) == 0 {
		return nil, patients, nil
	}
	ids := make([]string, len(staff))
	for i, u := range staff {
		ids[i] = u.ID
	}
	h, err := s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: ids, Action: access.Read,
		Purpose: access.PurposeOperations, Resource: "user", AuditAction: "user.list"})
	if err != nil {
		return nil, 0, err
	}
	out := make([]Account, 0, len(staff))
	for _, u := range staff {
		a := accountOf(u)
		if a.Email, err = h.OpenString(u.ID, "users", "email_ct", u.ID, u.EmailCT); err != nil {
			return nil, 0, err
		}
		if u.NameCT != nil {
			if a.Name, err = h.OpenString(u.ID, "users", "name_ct", u.ID, u.NameCT); err != nil {
				return nil, 0, err
			}
		}
		out = append(out, a)
	}
	return out, patients, nil
}

// staffTarget finds a staff account an admin acts on. Admins manage staff only,
// never patients, and never themselves (an admin cannot lock themselves out or
// raise their own role).
func (s *Service) staffTarget(ctx context.Context, tenantID, userID string) (User, access.Actor, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RoleAdmin || a.TenantID != tenantID {
		return User{}, a, apperr.DeniedError(errors.New("not an admin of the tenant"))
	}
	u, err := s.users.ByID(ctx, tenantID, userID)
	if err != nil || !u.Role.Staff() {
		return User{}, a, apperr.NotFoundError()
	}
	if u.ID == a.ID {
		return User{}, a, apperr.New(apperr.Invalid, "You cannot change your own account here; ask another administrator.")
	}
	return u, a, nil
}

// SetRole gives a staff account another staff role. Its sessions end at once
// (sign-in refuses a session whose role no longer matches its account), so the
// new privileges start with a new sign-in and a new token.
func (s *Service) SetRole(ctx context.Context, tenantID, userID string, role access.Role) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if !role.Staff() {
		return errInvalidRole(role)
	}
	u, _, err := s.staffTarget(ctx, tenantID, userID)
	if err != nil {
		return err
	}
	if u.Role == role {
		return nil
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{u.ID}, Action: "user.role.change", ResourceID: u.ID,
		Severity: audit.High, Detail: "role=" + string(u.Role) + "->" + string(role), Purpose: access.PurposeOperations}); err != nil {
		return err
	}
	now := s.clock.Now()
	if err := s.users.SetRole(ctx, tenantID, u.ID, role, now); err != nil {
		return err
	}
	return s.sessions.RevokeAll(ctx, u.ID, "", now)
}

// SetDisabled disables (every session ends at once) or re-enables a staff
// account.
func (s *Service) SetDisabled(ctx context.Context, tenantID, userID string, disabled bool, reason string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	u, _, err := s.staffTarget(ctx, tenantID, userID)
	if err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if len(reason) > 200 || strings.ContainsAny(reason, "\r\n") {
		return apperr.InvalidFields("Keep the reason short.", map[string]string{"reason": "At most 200 characters on one line."})
	}
	return s.setDisabled(ctx, u, disabled, reason)
}

func (s *Service) setDisabled(ctx context.Context, u User, disabled bool, reason string) error {
	status, action := StatusActive, "user.enable"
	if disabled {
		status, action = StatusDisabled, "user.disable"
	}
	if u.Status == status {
		return nil
	}
	if err := s.event(ctx, audit.Entry{TenantID: u.TenantID, Subjects: []string{u.ID}, Action: action, ResourceID: u.ID,
		Severity: audit.High, Detail: "reason recorded", Purpose: access.PurposeOperations}); err != nil {
		return err
	}
	return s.users.SetStatus(ctx, u.TenantID, u.ID, status, reason, s.clock.Now())
}

// DisableInactiveStaff disables every staff account, in every tenant, that
// has not signed in for the inactivity period (or was never used since it was
// created that long ago). It returns how many it disabled. Run daily.
func (s *Service) DisableInactiveStaff(ctx context.Context) (int, error) {
	cutoff := s.clock.Now().Add(-s.staffInactivity)
	rows, err := s.users.InactiveStaff(ctx, cutoff)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, u := range rows {
		jctx := access.WithActor(ctx, access.System("identity.inactivity", u.TenantID))
		if err := s.setDisabled(jctx, u, true, "inactive"); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// DisableUnrecertified disables a staff account whose roles nobody
// confirmed in time (the access recertification of internal/reviews), as
// the reviews job: every session ends and the disabling is audited. A
// patient account or one disabled already is left as it is.
func (s *Service) DisableUnrecertified(ctx context.Context, tenantID, userID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	u, err := s.users.ByID(ctx, tenantID, userID)
	if err != nil {
		return err
	}
	if !u.Role.Staff() {
		return nil
	}
	jctx := access.WithActor(ctx, access.System("reviews.recertification", tenantID))
	return s.setDisabled(jctx, u, true, "roles not recertified")
}
