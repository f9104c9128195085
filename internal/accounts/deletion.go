package accounts

import (
	"context"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/tenant"
)

// A patient's request to close their account and delete their data is
// verified twice: the page that asks for it needs a fresh sign-in (the
// password, and the second factor when there is one), and the request then
// takes effect only through a one-time link emailed to the account's
// address, opened signed in as the same person. Why both: closing an account
// and destroying its data cannot be undone, so neither a session left open
// on a shared computer nor a stolen mailbox alone may do it.

// RequestDeletion emails userID the link that confirms their deletion
// request (PurposeDelete, one hour). The caller checked the fresh sign-in.
func (s *Service) RequestDeletion(ctx context.Context, t *tenant.Tenant, baseURL, userID string) error {
	u, err := s.users.ByID(ctx, t.ID, userID)
	if err != nil {
		return err
	}
	// Why patients only: staff accounts are closed by an admin (and kept:
	// their actions are in the audit trail), not deleted by themselves.
	if u.Role != access.RolePatient || u.Status != StatusActive {
		return apperr.NotFoundError()
	}
	if err := s.event(ctx, audit.Entry{TenantID: t.ID, Subjects: []string{u.ID}, Action: "user.deletion.request", ResourceID: u.ID,
		Purpose: access.PurposeSelf}); err != nil {
		return err
	}
	return s.SendLink(ctx, t, baseURL, u.ID, PurposeDelete)
}

// DeletionLinkValid reports whether token is userID's live deletion link,
// without spending it.
func (s *Service) DeletionLinkValid(ctx context.Context, tenantID, userID, token string) bool {
	ctx = tenant.WithScope(ctx, tenantID)
	if !auth.ValidToken(token) {
		return false
	}
	tok, err := s.tokens.Peek(ctx, tenantID, auth.HashToken(token), PurposeDelete, s.clock.Now())
	return err == nil && tok.UserID == userID
}

// CloseForDeletion spends userID's deletion link and closes the account:
// disabled, every session ended in the same transaction (SetStatus). The
// data stays until the disposal job destroys it (retention.DeletionPlan);
// the caller records the request there first, so that a closed account
// always has it. A link that is not userID's, spent or expired is
// ErrBadLink and changes nothing.
func (s *Service) CloseForDeletion(ctx context.Context, tenantID, userID, token string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if !s.DeletionLinkValid(ctx, tenantID, userID, token) {
		return ErrBadLink
	}
	u, err := s.users.ByID(ctx, tenantID, userID)
	if err != nil {
		return ErrBadLink
	}
	if _, err := s.tokens.Use(ctx, tenantID, auth.HashToken(token), PurposeDelete, s.clock.Now()); err != nil {
		return ErrBadLink
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{u.ID}, Action: "user.deletion.confirm", ResourceID: u.ID,
		Severity: audit.High, Purpose: access.PurposeSelf}); err != nil {
		return err
	}
	return s.users.SetStatus(ctx, tenantID, u.ID, StatusDisabled, "deletion request of the patient", s.clock.Now())
}
