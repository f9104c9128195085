package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
)

// Tenants stores tenants in the catalog store. It implements tenant.Repository.
type Tenants struct{ db *DB }

// NewTenants returns the tenant repository of a catalog store.
func NewTenants(db *DB) *Tenants { return &Tenants{db: db} }

const tenantColumns = `id, slug, name, primary_color, accent_color, logo_type, logo, logo_sha256, security_contact, is_default, created_at, updated_at, org_id, parent_id`

func scanTenant(row interface{ Scan(...any) error }) (*tenant.Tenant, error) {
	var t tenant.Tenant
	var org, parent sql.NullString
	err := row.Scan(&t.ID, &t.Slug, &t.Name, &t.Theme.Primary, &t.Theme.Accent,
		&t.Logo.ContentType, &t.Logo.Data, &t.Logo.SHA256, &t.SecurityContact, &t.IsDefault, &t.CreatedAt, &t.UpdatedAt, &org, &parent)
	if err != nil {
		return nil, err
	}
	t.OrgID, t.ParentID = org.String, parent.String
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return &t, nil
}

// Create inserts a new tenant with its host names. t.ID, CreatedAt and UpdatedAt
// must be set by the caller.
func (s *Tenants) Create(ctx context.Context, t *tenant.Tenant) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.checkLinks(ctx, tx, t); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO tenants (`+tenantColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			t.ID, t.Slug, t.Name, t.Theme.Primary, t.Theme.Accent, t.Logo.ContentType, t.Logo.Data, t.Logo.SHA256,
			t.SecurityContact, false, t.CreatedAt, t.UpdatedAt, nullable(t.OrgID), nullable(t.ParentID))
		if err != nil {
			if isUniqueViolation(err) {
				return apperr.InvalidFields("That slug is taken.", map[string]string{"slug": "Another tenant uses this slug."})
			}
			return fmt.Errorf("insert tenant: %w", err)
		}
		return s.putHosts(ctx, tx, t)
	})
	if err == nil && t.IsDefault {
		err = s.SetDefault(ctx, t.ID)
	}
	return err
}

// Update saves every field of an existing tenant except IsDefault (see
// SetDefault) and CreatedAt.
func (s *Tenants) Update(ctx context.Context, t *tenant.Tenant) error {
	logo := t.Logo
	if t.LogoInherited {
		// Why: a loaded brand carries the logo it inherits; saving it must
		// not turn the parent's logo into the brand's own.
		logo = tenant.Logo{}
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.checkLinks(ctx, tx, t); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE tenants SET slug = $2, name = $3, primary_color = $4, accent_color = $5,
			logo_type = $6, logo = $7, logo_sha256 = $8, security_contact = $9, updated_at = $10, org_id = $11, parent_id = $12 WHERE id = $1`,
			t.ID, t.Slug, t.Name, t.Theme.Primary, t.Theme.Accent, logo.ContentType, logo.Data, logo.SHA256,
			t.SecurityContact, t.UpdatedAt, nullable(t.OrgID), nullable(t.ParentID))
		if err != nil {
			if isUniqueViolation(err) {
				return apperr.InvalidFields("That slug is taken.", map[string]string{"slug": "Another tenant uses this slug."})
			}
			return fmt.Errorf("update tenant: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundError()
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM tenant_hosts WHERE tenant_id = $1`, t.ID); err != nil {
			return fmt.Errorf("replace tenant hosts: %w", err)
		}
		return s.putHosts(ctx, tx, t)
	})
}

func (s *Tenants) putHosts(ctx context.Context, tx *sql.Tx, t *tenant.Tenant) error {
	for _, h := range t.Hostnames {
		if _, err := tx.ExecContext(ctx, `INSERT INTO tenant_hosts (hostname, tenant_id) VALUES ($1, $2)`, h, t.ID); err != nil {
			if isUniqueViolation(err) {
				return apperr.InvalidFields("A host name is taken.", map[string]string{"hostnames": "Another tenant already answers " + h + "."})
			}
			return fmt.Errorf("insert tenant host: %w", err)
		}
	}
	return nil
}

// ByID returns a tenant, or a NotFound error.
func (s *Tenants) ByID(ctx context.Context, id string) (*tenant.Tenant, error) {
	return s.one(ctx, `id = $1`, id)
}

// BySlug returns a tenant, or a NotFound error.
func (s *Tenants) BySlug(ctx context.Context, slug string) (*tenant.Tenant, error) {
	return s.one(ctx, `slug = $1`, slug)
}

// one loads every tenant and returns the one asked for: a brand's effective
// settings depend on its parents and organisation, and tenants are few.
func (s *Tenants) one(ctx context.Context, where string, arg any) (*tenant.Tenant, error) {
	if s.db.engine == Postgres && strings.HasPrefix(where, "id") && !validUUID(arg) {
		return nil, apperr.NotFoundError()
	}
	var id string
	err := s.db.r.QueryRowContext(ctx, `SELECT id FROM tenants WHERE `+where, arg).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundError()
	}
	if err != nil {
		return nil, fmt.Errorf("select tenant: %w", err)
	}
	ts, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.ID == id {
			return t, nil
		}
	}
	return nil, apperr.NotFoundError()
}

// List returns every tenant with its host names and effective settings
// (tenant.ApplyInheritance), ordered by slug, in four queries whatever the
// number of tenants.
func (s *Tenants) List(ctx context.Context) ([]*tenant.Tenant, error) {
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+tenantColumns+` FROM tenants ORDER BY slug`)
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	defer rows.Close()
	var out []*tenant.Tenant
	byID := make(map[string]*tenant.Tenant)
	for rows.Next() {
		t, err := scanTenant(rows)
		if err != nil {
			return nil, fmt.Errorf("list tenants: %w", err)
		}
		out = append(out, t)
		byID[t.ID] = t
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	hrows, err := s.db.r.QueryContext(ctx, `SELECT tenant_id, hostname FROM tenant_hosts ORDER BY hostname`)
	if err != nil {
		return nil, fmt.Errorf("list tenant hosts: %w", err)
	}
	defer hrows.Close()
	for hrows.Next() {
		var tid, h string
		if err := hrows.Scan(&tid, &h); err != nil {
			return nil, err
		}
		if t := byID[tid]; t != nil {
			t.Hostnames = append(t.Hostnames, h)
		}
	}
	if err := hrows.Err(); err != nil {
		return nil, err
	}
	settings, err := s.allSettings(ctx)
	if err != nil {
		return nil, err
	}
	orgs, err := s.listOrgs(ctx, settings)
	if err != nil {
		return nil, err
	}
	for _, t := range out {
		t.Own = settings[t.ID]
	}
	tenant.ApplyInheritance(out, orgs)
	return out, nil
}

// SetDefault makes a tenant the one that answers unclaimed hosts.
func (s *Tenants) SetDefault(ctx context.Context, id string) error {
	if s.db.engine == Postgres && !validUUID(id) {
		return apperr.NotFoundError()
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE tenants SET is_default = $1 WHERE is_default = $2`, false, true); err != nil {
			return fmt.Errorf("clear default tenant: %w", err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE tenants SET is_default = $1 WHERE id = $2`, true, id)
		if err != nil {
			return fmt.Errorf("set default tenant: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundError()
		}
		return nil
	})
}
