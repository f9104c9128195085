package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/tenant"
)

// Roles across brands (issue 20 point 4): organisation-level roles and a
// patient's consent to share with a sister brand. Both live in the PHI store
// beside the accounts they name.

// PutOrgRole gives an account its organisation-level role (replacing any it
// had).
func (q *Links) PutOrgRole(ctx context.Context, r grants.OrgRole) error {
	ctx = tenant.WithScope(ctx, r.TenantID)
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO org_roles (user_id, tenant_id, org_id, role, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (user_id) DO UPDATE SET tenant_id = excluded.tenant_id, org_id = excluded.org_id, role = excluded.role,
		created_at = excluded.created_at`, r.UserID, r.TenantID, r.OrgID, string(r.Role), r.CreatedAt)
	if err != nil {
		return fmt.Errorf("grant organisation role: %w", err)
	}
	return nil
}

// DeleteOrgRole takes an account's organisation-level role away; NotFound
// when it had none in that organisation.
func (q *Links) DeleteOrgRole(ctx context.Context, orgID, userID string) error {
	// An organisation spans its brands, and an account's role sits at its
	// home brand: the WHERE org_id scopes it, not one tenant.
	ctx = tenant.AcrossTenants(ctx)
	res, err := q.db.w.ExecContext(ctx, `DELETE FROM org_roles WHERE org_id = $1 AND user_id = $2`, orgID, userID)
	if err != nil {
		return fmt.Errorf("revoke organisation role: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundError()
	}
	return nil
}

// OrgRole returns the organisation-level role of an account of a brand
// (tenantID "": of any brand); NotFound when it has none.
func (q *Links) OrgRole(ctx context.Context, tenantID, userID string) (grants.OrgRole, error) {
	if tenantID == "" {
		// An account's role wherever its home brand is (user IDs are
		// unique); the caller compares its organisation.
		ctx = tenant.AcrossTenants(ctx)
	} else {
		ctx = tenant.WithScope(ctx, tenantID)
	}
	var (
		r    grants.OrgRole
		role string
	)
	where, args := `tenant_id = $1 AND user_id = $2`, []any{tenantID, userID}
	if tenantID == "" {
		where, args = `user_id = $1`, []any{userID}
	}
	err := q.db.r.QueryRowContext(ctx, `SELECT user_id, tenant_id, org_id, role, created_at FROM org_roles WHERE `+where, args...).
		Scan(&r.UserID, &r.TenantID, &r.OrgID, &role, &r.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundError()
	}
	if err != nil {
		return r, fmt.Errorf("organisation role: %w", err)
	}
	r.Role, r.CreatedAt = access.Role(role), r.CreatedAt.UTC()
	return r, nil
}

// OrgRoles lists an organisation's roles, oldest first.
func (q *Links) OrgRoles(ctx context.Context, orgID string) ([]grants.OrgRole, error) {
	ctx = tenant.AcrossTenants(ctx) // as DeleteOrgRole: an organisation spans its brands
	rows, err := q.db.r.QueryContext(ctx, `SELECT user_id, tenant_id, org_id, role, created_at FROM org_roles WHERE org_id = $1
		ORDER BY created_at, user_id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("list organisation roles: %w", err)
	}
	defer rows.Close()
	var out []grants.OrgRole
	for rows.Next() {
		var (
			r    grants.OrgRole
			role string
		)
		if err := rows.Scan(&r.UserID, &r.TenantID, &r.OrgID, &role, &r.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan organisation role: %w", err)
		}
		r.Role, r.CreatedAt = access.Role(role), r.CreatedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// InsertBrandShare stores a patient's consent to share with a sister brand.
func (q *Links) InsertBrandShare(ctx context.Context, b grants.BrandShare) error {
	ctx = tenant.WithScope(ctx, b.TenantID)
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO brand_shares (id, tenant_id, patient_id, target_tenant_id, scopes, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, b.ID, b.TenantID, b.PatientID, b.TargetTenantID, joinScopes(b.Scopes), b.CreatedAt)
	if err != nil {
		return fmt.Errorf("share with brand: %w", err)
	}
	return nil
}

// RevokeBrandShare ends one of a patient's live shares; NotFound when the
// patient has no such live share.
func (q *Links) RevokeBrandShare(ctx context.Context, tenantID, patientID, id string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	res, err := q.db.w.ExecContext(ctx, `UPDATE brand_shares SET revoked_at = $4 WHERE tenant_id = $1 AND patient_id = $2 AND id = $3
		AND revoked_at IS NULL`, tenantID, patientID, id, now)
	if err != nil {
		return fmt.Errorf("revoke brand share: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundError()
	}
	return nil
}

// BrandShares lists a patient's live shares, oldest first.
func (q *Links) BrandShares(ctx context.Context, tenantID, patientID string) ([]grants.BrandShare, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return q.brandShares(ctx, `tenant_id = $1 AND patient_id = $2`, tenantID, patientID)
}

// SharedWith lists the live shares a patient of one brand gave another.
func (q *Links) SharedWith(ctx context.Context, tenantID, patientID, targetTenantID string) ([]grants.BrandShare, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return q.brandShares(ctx, `tenant_id = $1 AND patient_id = $2 AND target_tenant_id = $3`, tenantID, patientID, targetTenantID)
}

// SharesTo lists the live shares other brands' patients gave a brand,
// oldest first, at most limit.
func (q *Links) SharesTo(ctx context.Context, targetTenantID string, limit int) ([]grants.BrandShare, error) {
	// The shares sit in the patients' brands, not in the target's: the
	// WHERE target_tenant_id scopes them (and the caller keeps only sister
	// brands'), as an organisation role's rows span its brands.
	ctx = tenant.AcrossTenants(ctx)
	return q.queryBrandShares(ctx, `SELECT id, tenant_id, patient_id, target_tenant_id, scopes, created_at FROM brand_shares
		WHERE target_tenant_id = $1 AND tenant_id <> $1 AND revoked_at IS NULL ORDER BY created_at, id LIMIT $2`, targetTenantID, limit)
}

// CareTeam lists the staff of a brand with a current care relationship
// with a patient, by id.
func (q *Links) CareTeam(ctx context.Context, tenantID, patientID string) ([]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := q.db.r.QueryContext(ctx, `SELECT clinician_id FROM care_relationships WHERE tenant_id = $1 AND patient_id = $2
		AND ended_at IS NULL ORDER BY created_at, clinician_id`, tenantID, patientID)
	if err != nil {
		return nil, fmt.Errorf("care team: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan care team: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (q *Links) brandShares(ctx context.Context, where string, args ...any) ([]grants.BrandShare, error) {
	//nolint:gosec // where is a constant of this file, the values are parameters
	return q.queryBrandShares(ctx, `SELECT id, tenant_id, patient_id, target_tenant_id, scopes, created_at FROM brand_shares
		WHERE `+where+` AND revoked_at IS NULL ORDER BY created_at, id`, args...)
}

func (q *Links) queryBrandShares(ctx context.Context, query string, args ...any) ([]grants.BrandShare, error) {
	rows, err := q.db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list brand shares: %w", err)
	}
	defer rows.Close()
	var out []grants.BrandShare
	for rows.Next() {
		var (
			b      grants.BrandShare
			scopes string
		)
		if err := rows.Scan(&b.ID, &b.TenantID, &b.PatientID, &b.TargetTenantID, &scopes, &b.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan brand share: %w", err)
		}
		b.Scopes, b.CreatedAt = splitScopes(scopes), b.CreatedAt.UTC()
		out = append(out, b)
	}
	return out, rows.Err()
}
