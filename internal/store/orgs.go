package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
)

// Organisations and inheritable settings live in the catalog store
// beside the tenants; Tenants implements tenant.OrgRepository.

const orgColumns = `id, slug, name, logo_type, logo, logo_sha256, created_at, updated_at`

// CreateOrg inserts an organisation; o.ID and the times must be set.
func (s *Tenants) CreateOrg(ctx context.Context, o *tenant.Organisation) error {
	_, err := s.db.w.ExecContext(ctx, `INSERT INTO organisations (`+orgColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		o.ID, o.Slug, o.Name, o.Logo.ContentType, o.Logo.Data, o.Logo.SHA256, o.CreatedAt, o.UpdatedAt)
	if isUniqueViolation(err) {
		return apperr.InvalidFields("That slug is taken.", map[string]string{"slug": "Another organisation uses this slug."})
	}
	if err != nil {
		return fmt.Errorf("insert organisation: %w", err)
	}
	return nil
}

// UpdateOrg saves an organisation's name and logo.
func (s *Tenants) UpdateOrg(ctx context.Context, o *tenant.Organisation) error {
	res, err := s.db.w.ExecContext(ctx, `UPDATE organisations SET name = $2, logo_type = $3, logo = $4, logo_sha256 = $5, updated_at = $6 WHERE id = $1`,
		o.ID, o.Name, o.Logo.ContentType, o.Logo.Data, o.Logo.SHA256, o.UpdatedAt)
	if err != nil {
		return fmt.Errorf("update organisation: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundError()
	}
	return nil
}

// OrgBySlug returns an organisation with its settings, or NotFound.
func (s *Tenants) OrgBySlug(ctx context.Context, slug string) (*tenant.Organisation, error) {
	orgs, err := s.ListOrgs(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		if o.Slug == slug {
			return o, nil
		}
	}
	return nil, apperr.NotFoundError()
}

// ListOrgs returns every organisation with its settings, ordered by slug.
func (s *Tenants) ListOrgs(ctx context.Context) ([]*tenant.Organisation, error) {
	settings, err := s.allSettings(ctx)
	if err != nil {
		return nil, err
	}
	return s.listOrgs(ctx, settings)
}

func (s *Tenants) listOrgs(ctx context.Context, settings map[string]map[string]string) ([]*tenant.Organisation, error) {
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+orgColumns+` FROM organisations ORDER BY slug`)
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	defer rows.Close()
	var out []*tenant.Organisation
	for rows.Next() {
		var o tenant.Organisation
		if err := rows.Scan(&o.ID, &o.Slug, &o.Name, &o.Logo.ContentType, &o.Logo.Data, &o.Logo.SHA256, &o.CreatedAt, &o.UpdatedAt); err != nil {
			return nil, fmt.Errorf("list organisations: %w", err)
		}
		o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
		o.Settings = settings[o.ID]
		out = append(out, &o)
	}
	return out, rows.Err()
}

// allSettings returns every set value by owner id and key.
func (s *Tenants) allSettings(ctx context.Context) (map[string]map[string]string, error) {
	rows, err := s.db.r.QueryContext(ctx, `SELECT owner_id, key, value FROM brand_settings`)
	if err != nil {
		return nil, fmt.Errorf("list brand settings: %w", err)
	}
	defer rows.Close()
	out := make(map[string]map[string]string)
	for rows.Next() {
		var owner, key, value string
		if err := rows.Scan(&owner, &key, &value); err != nil {
			return nil, fmt.Errorf("list brand settings: %w", err)
		}
		if out[owner] == nil {
			out[owner] = make(map[string]string)
		}
		out[owner][key] = value
	}
	return out, rows.Err()
}

// SetSetting validates and sets a value at an organisation or brand.
func (s *Tenants) SetSetting(ctx context.Context, ownerID, key, value string, now time.Time) error {
	v, err := tenant.CheckSetting(key, value)
	if err != nil {
		return err
	}
	if err := s.ownerExists(ctx, ownerID); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO brand_settings (owner_id, key, value, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (owner_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, ownerID, key, v, now)
		if err != nil {
			return fmt.Errorf("set brand setting: %w", err)
		}
		return touchOwner(ctx, tx, ownerID, now)
	})
}

// touchOwner moves the owner's updated_at, which every brand inheriting from
// it shows as its own (tenant.ApplyInheritance): page caches keyed by it
// then miss at once.
func touchOwner(ctx context.Context, tx *sql.Tx, ownerID string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE tenants SET updated_at = $2 WHERE id = $1`, ownerID, now); err != nil {
		return fmt.Errorf("touch brand: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE organisations SET updated_at = $2 WHERE id = $1`, ownerID, now); err != nil {
		return fmt.Errorf("touch organisation: %w", err)
	}
	return nil
}

// ResetSetting removes a value set at an organisation or brand, so it is
// inherited again. Resetting a value that was not set is not an error.
func (s *Tenants) ResetSetting(ctx context.Context, ownerID, key string, now time.Time) error {
	if _, ok := tenant.SettingDefByKey(key); !ok {
		_, err := tenant.CheckSetting(key, "")
		return err
	}
	if err := s.ownerExists(ctx, ownerID); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM brand_settings WHERE owner_id = $1 AND key = $2`, ownerID, key); err != nil {
			return fmt.Errorf("reset brand setting: %w", err)
		}
		return touchOwner(ctx, tx, ownerID, now)
	})
}

func (s *Tenants) ownerExists(ctx context.Context, ownerID string) error {
	if s.db.engine == Postgres && !validUUID(ownerID) {
		return apperr.NotFoundError()
	}
	var n int
	err := s.db.r.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM tenants WHERE id = $1) + (SELECT COUNT(*) FROM organisations WHERE id = $1)`, ownerID).Scan(&n)
	if err != nil {
		return fmt.Errorf("find setting owner: %w", err)
	}
	if n == 0 {
		return apperr.NotFoundError()
	}
	return nil
}

// checkLinks refuses a brand whose organisation does not exist, whose parent
// is in another organisation, or whose parent chain would loop.
func (s *Tenants) checkLinks(ctx context.Context, tx *sql.Tx, t *tenant.Tenant) error {
	if t.ParentID != "" && t.OrgID == "" {
		return apperr.InvalidFields("A parent brand needs an organisation.", map[string]string{"parent": "Give the organisation too; a parent brand must be in the same organisation."})
	}
	if t.OrgID != "" {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE id = $1`, t.OrgID).Scan(&n); err != nil {
			return fmt.Errorf("find organisation: %w", err)
		}
		if n == 0 {
			return apperr.InvalidFields("There is no such organisation.", map[string]string{"org": "Create the organisation first."})
		}
	}
	seen := map[string]bool{t.ID: true}
	for p := t.ParentID; p != ""; {
		if seen[p] {
			return apperr.InvalidFields("The parent chain would loop.", map[string]string{"parent": "A brand cannot inherit from itself or its own descendants."})
		}
		seen[p] = true
		var org, next sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT org_id, parent_id FROM tenants WHERE id = $1`, p).Scan(&org, &next)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.InvalidFields("There is no such parent brand.", map[string]string{"parent": "Name an existing brand."})
		}
		if err != nil {
			return fmt.Errorf("find parent brand: %w", err)
		}
		if org.String != t.OrgID {
			return apperr.InvalidFields("The parent brand is in another organisation.", map[string]string{"parent": "A parent brand must be in the same organisation."})
		}
		p = next.String
	}
	return nil
}
