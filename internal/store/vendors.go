package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/vendors"
)

// Vendors holds the vendor registry, the integrations' bindings and the
// refused attempts in the PHI store. It implements vendors.Store.
type Vendors struct{ db *DB }

// NewVendors returns the vendor queries of a PHI store.
func NewVendors(db *DB) *Vendors { return &Vendors{db: db} }

var _ vendors.Store = (*Vendors)(nil)

const vendorColumns = `id, tenant_id, name, service, contact, baa_signed, baa_expires, document_at, notes, created_at, updated_at`

func scanVendors(rows *sql.Rows) ([]vendors.Vendor, error) {
	defer rows.Close()
	var out []vendors.Vendor
	for rows.Next() {
		var v vendors.Vendor
		var doc sql.NullTime
		if err := rows.Scan(&v.ID, &v.TenantID, &v.Name, &v.Service, &v.Contact, &v.SignedOn, &v.ExpiresOn, &doc, &v.Notes,
			&v.CreatedAt, &v.UpdatedAt); err != nil {
			return nil, fmt.Errorf("vendors: %w", err)
		}
		v.HasDocument, v.DocumentAt = doc.Valid, timeOf(doc)
		v.CreatedAt, v.UpdatedAt = v.CreatedAt.UTC(), v.UpdatedAt.UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// List returns a tenant's vendors by name.
func (q *Vendors) List(ctx context.Context, tenantID string) ([]vendors.Vendor, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := q.db.r.QueryContext(ctx, `SELECT `+vendorColumns+` FROM vendors WHERE tenant_id = $1 ORDER BY name, id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("vendors: %w", err)
	}
	return scanVendors(rows)
}

// ByID returns one of a tenant's vendors.
func (q *Vendors) ByID(ctx context.Context, tenantID, id string) (vendors.Vendor, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := q.db.r.QueryContext(ctx, `SELECT `+vendorColumns+` FROM vendors WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	if err != nil {
		return vendors.Vendor{}, fmt.Errorf("vendor: %w", err)
	}
	out, err := scanVendors(rows)
	if err != nil {
		return vendors.Vendor{}, err
	}
	if len(out) == 0 {
		return vendors.Vendor{}, apperr.NotFoundError()
	}
	return out[0], nil
}

// Insert adds a vendor.
func (q *Vendors) Insert(ctx context.Context, v vendors.Vendor) error {
	ctx = tenant.WithScope(ctx, v.TenantID)
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO vendors (id, tenant_id, name, service, contact, baa_signed, baa_expires, notes, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, v.ID, v.TenantID, v.Name, v.Service, v.Contact, v.SignedOn, v.ExpiresOn, v.Notes,
		v.CreatedAt.UTC(), v.UpdatedAt.UTC())
	if err != nil {
		return fmt.Errorf("add vendor: %w", err)
	}
	return nil
}

// Update saves a vendor's details.
func (q *Vendors) Update(ctx context.Context, v vendors.Vendor) error {
	ctx = tenant.WithScope(ctx, v.TenantID)
	res, err := q.db.w.ExecContext(ctx, `UPDATE vendors SET name = $3, service = $4, contact = $5, baa_signed = $6, baa_expires = $7,
		notes = $8, updated_at = $9 WHERE tenant_id = $1 AND id = $2`, v.TenantID, v.ID, v.Name, v.Service, v.Contact, v.SignedOn, v.ExpiresOn,
		v.Notes, v.UpdatedAt.UTC())
	if err != nil {
		return fmt.Errorf("update vendor: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundError()
	}
	return nil
}

// SetDocument keeps a vendor's sealed BAA.
func (q *Vendors) SetDocument(ctx context.Context, tenantID, id string, ct []byte, at time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	_, err := q.db.w.ExecContext(ctx, `UPDATE vendors SET document_ct = $3, document_at = $4 WHERE tenant_id = $1 AND id = $2`,
		tenantID, id, ct, at.UTC())
	if err != nil {
		return fmt.Errorf("vendor document: %w", err)
	}
	return nil
}

// Document returns a vendor's sealed BAA.
func (q *Vendors) Document(ctx context.Context, tenantID, id string) ([]byte, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var ct []byte
	err := q.db.r.QueryRowContext(ctx, `SELECT document_ct FROM vendors WHERE tenant_id = $1 AND id = $2 AND document_ct IS NOT NULL`,
		tenantID, id).Scan(&ct)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundError()
	}
	if err != nil {
		return nil, fmt.Errorf("vendor document: %w", err)
	}
	return ct, nil
}

// Bindings maps a tenant's integrations to their vendors.
func (q *Vendors) Bindings(ctx context.Context, tenantID string) (map[string]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := q.db.r.QueryContext(ctx, `SELECT integration, vendor_id FROM vendor_bindings WHERE tenant_id = $1`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("vendor bindings: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("vendor bindings: %w", err)
		}
		out[k] = v
	}
	return out, rows.Err()
}

// Bind binds an integration of a tenant to a vendor.
func (q *Vendors) Bind(ctx context.Context, tenantID, integration, vendorID string, at time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO vendor_bindings (tenant_id, integration, vendor_id, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (tenant_id, integration) DO UPDATE SET vendor_id = excluded.vendor_id, updated_at = excluded.updated_at`,
		tenantID, integration, vendorID, at.UTC())
	if err != nil {
		return fmt.Errorf("bind integration: %w", err)
	}
	return nil
}

// AddRefusal records a refused attempt.
func (q *Vendors) AddRefusal(ctx context.Context, r vendors.Refusal) error {
	ctx = tenant.WithScope(ctx, r.TenantID)
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO vendor_refusals (id, tenant_id, integration, vendor_id, reason, at) VALUES ($1, $2, $3, $4, $5, $6)`,
		r.ID, r.TenantID, r.Integration, r.VendorID, r.Reason, r.At.UTC())
	if err != nil {
		return fmt.Errorf("record refusal: %w", err)
	}
	return nil
}

// Refusals lists a tenant's newest refused attempts.
func (q *Vendors) Refusals(ctx context.Context, tenantID string, limit int) ([]vendors.Refusal, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := q.db.r.QueryContext(ctx, `SELECT id, integration, vendor_id, reason, at FROM vendor_refusals WHERE tenant_id = $1
		ORDER BY at DESC, id DESC LIMIT $2`, tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("refusals: %w", err)
	}
	defer rows.Close()
	var out []vendors.Refusal
	for rows.Next() {
		r := vendors.Refusal{TenantID: tenantID}
		if err := rows.Scan(&r.ID, &r.Integration, &r.VendorID, &r.Reason, &r.At); err != nil {
			return nil, fmt.Errorf("refusals: %w", err)
		}
		r.At = r.At.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}
