package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/shiptax"
	"github.com/salvehealth/salve/internal/tenant"
)

// ShipTax keeps tenants' shipping tables and tax regions in the catalog
// store. It implements shiptax.Store.
type ShipTax struct{ db *DB }

// NewShipTax returns the shipping and tax storage of a catalog store.
func NewShipTax(db *DB) *ShipTax { return &ShipTax{db: db} }

var _ shiptax.Store = (*ShipTax)(nil)

// Shipping returns the tenant's stored shipping table, or ok false.
func (s *ShipTax) Shipping(ctx context.Context, tenantID string) (*shiptax.Shipping, bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var n int
	if err := s.db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM shipping_settings WHERE tenant_id = $1`, tenantID).Scan(&n); err != nil {
		return nil, false, fmt.Errorf("shipping settings: %w", err)
	}
	if n == 0 {
		return nil, false, nil
	}
	sh := &shiptax.Shipping{}
	err := s.each(ctx, `SELECT code, label FROM shipping_methods WHERE tenant_id = $1 ORDER BY position, code`, tenantID, func(rows *sql.Rows) error {
		var m shiptax.Method
		err := rows.Scan(&m.Code, &m.Label)
		sh.Methods = append(sh.Methods, m)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("shipping methods: %w", err)
	}
	err = s.each(ctx, `SELECT code, name, regions FROM shipping_zones WHERE tenant_id = $1 ORDER BY code`, tenantID, func(rows *sql.Rows) error {
		var z shiptax.Zone
		var regions string
		err := rows.Scan(&z.Code, &z.Name, &regions)
		if regions != "" {
			z.Regions = strings.Split(regions, ",")
		}
		sh.Zones = append(sh.Zones, z)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("shipping zones: %w", err)
	}
	err = s.each(ctx, `SELECT method_code, zone_code, kind, price, per_kg, free_over FROM shipping_rates WHERE tenant_id = $1
		ORDER BY method_code, zone_code`, tenantID, func(rows *sql.Rows) error {
		var r shiptax.Rate
		err := rows.Scan(&r.Method, &r.Zone, &r.Kind, &r.Price, &r.PerKg, &r.FreeOver)
		sh.Rates = append(sh.Rates, r)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("shipping rates: %w", err)
	}
	return sh, true, nil
}

func (s *ShipTax) each(ctx context.Context, query, tenantID string, scan func(*sql.Rows) error) error {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, query, tenantID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// PutShipping replaces the tenant's shipping table in one transaction.
func (s *ShipTax) PutShipping(ctx context.Context, tenantID string, sh *shiptax.Shipping, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, t := range []string{"shipping_rates", "shipping_zones", "shipping_methods", "shipping_settings"} {
			//nolint:gosec // the table name is one of the constants above
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE tenant_id = $1`, tenantID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO shipping_settings (tenant_id, updated_at) VALUES ($1, $2)`, tenantID, now.UTC()); err != nil {
			return err
		}
		for i, m := range sh.Methods {
			if _, err := tx.ExecContext(ctx, `INSERT INTO shipping_methods (tenant_id, code, label, position) VALUES ($1, $2, $3, $4)`,
				tenantID, m.Code, m.Label, i); err != nil {
				return err
			}
		}
		for _, z := range sh.Zones {
			if _, err := tx.ExecContext(ctx, `INSERT INTO shipping_zones (tenant_id, code, name, regions) VALUES ($1, $2, $3, $4)`,
				tenantID, z.Code, z.Name, strings.Join(z.Regions, ",")); err != nil {
				return err
			}
		}
		for _, r := range sh.Rates {
			if _, err := tx.ExecContext(ctx, `INSERT INTO shipping_rates (tenant_id, method_code, zone_code, kind, price, per_kg, free_over)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, tenantID, r.Method, r.Zone, r.Kind, r.Price, r.PerKg, r.FreeOver); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("put shipping: %w", err)
	}
	return nil
}

// TaxRegions returns the tax rows the tenant set.
func (s *ShipTax) TaxRegions(ctx context.Context, tenantID string) ([]shiptax.TaxRegion, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var out []shiptax.TaxRegion
	err := s.each(ctx, `SELECT code, rate_pcm, exempt_rx, exempt_hsa FROM tax_regions WHERE tenant_id = $1 ORDER BY code`, tenantID,
		func(rows *sql.Rows) error {
			var t shiptax.TaxRegion
			err := rows.Scan(&t.Code, &t.RatePCM, &t.ExemptRx, &t.ExemptHSA)
			out = append(out, t)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("tax regions: %w", err)
	}
	return out, nil
}

// PutTaxRegion sets one region's row.
func (s *ShipTax) PutTaxRegion(ctx context.Context, tenantID string, t shiptax.TaxRegion, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	_, err := s.db.w.ExecContext(ctx, `INSERT INTO tax_regions (tenant_id, code, rate_pcm, exempt_rx, exempt_hsa, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, code) DO UPDATE SET rate_pcm = excluded.rate_pcm,
		exempt_rx = excluded.exempt_rx, exempt_hsa = excluded.exempt_hsa, updated_at = excluded.updated_at`,
		tenantID, t.Code, t.RatePCM, t.ExemptRx, t.ExemptHSA, now.UTC())
	if err != nil {
		return fmt.Errorf("put tax region: %w", err)
	}
	return nil
}
