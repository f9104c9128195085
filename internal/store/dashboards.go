package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/tenant"
)

// Dashboards keeps dashboard layouts, tenants' pinned default orders and the
// PHI-free open counts in the PHI store. It implements portal.Store.
type Dashboards struct{ db *DB }

// NewDashboards returns the dashboard storage of a PHI store.
func NewDashboards(db *DB) *Dashboards { return &Dashboards{db: db} }

var _ portal.Store = (*Dashboards)(nil)

// splitKeys reads a comma-separated list of widget keys.
func splitKeys(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// Layout returns a person's layout; ok is false when there is none.
func (s *Dashboards) Layout(ctx context.Context, tenantID, userID string) (portal.Layout, bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var widgets, hidden string
	err := s.db.r.QueryRowContext(ctx, `SELECT widgets, hidden FROM dashboard_layouts WHERE tenant_id = $1 AND user_id = $2`,
		tenantID, userID).Scan(&widgets, &hidden)
	if errors.Is(err, sql.ErrNoRows) {
		return portal.Layout{}, false, nil
	}
	if err != nil {
		return portal.Layout{}, false, fmt.Errorf("dashboard layout: %w", err)
	}
	return portal.Layout{Widgets: splitKeys(widgets), Hidden: splitKeys(hidden)}, true, nil
}

// SaveLayout stores a person's layout, replacing any.
func (s *Dashboards) SaveLayout(ctx context.Context, tenantID, userID string, l portal.Layout, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	_, err := s.db.w.ExecContext(ctx, `INSERT INTO dashboard_layouts (tenant_id, user_id, widgets, hidden, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, user_id) DO UPDATE SET widgets = $3, hidden = $4, updated_at = $5`,
		tenantID, userID, strings.Join(l.Widgets, ","), strings.Join(l.Hidden, ","), now.UTC())
	if err != nil {
		return fmt.Errorf("save dashboard layout: %w", err)
	}
	return nil
}

// Pinned returns a tenant's pinned default order; nil when none.
func (s *Dashboards) Pinned(ctx context.Context, tenantID string) ([]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var widgets string
	err := s.db.r.QueryRowContext(ctx, `SELECT widgets FROM dashboard_defaults WHERE tenant_id = $1`, tenantID).Scan(&widgets)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("dashboard default: %w", err)
	}
	return splitKeys(widgets), nil
}

// Pin stores a tenant's pinned default order; nil keys remove it.
func (s *Dashboards) Pin(ctx context.Context, tenantID string, keys []string, by string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	var err error
	if keys == nil {
		_, err = s.db.w.ExecContext(ctx, `DELETE FROM dashboard_defaults WHERE tenant_id = $1`, tenantID)
	} else {
		_, err = s.db.w.ExecContext(ctx, `INSERT INTO dashboard_defaults (tenant_id, widgets, pinned_by, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (tenant_id) DO UPDATE SET widgets = $2, pinned_by = $3, updated_at = $4`, tenantID, strings.Join(keys, ","), by, now.UTC())
	}
	if err != nil {
		return fmt.Errorf("pin dashboard default: %w", err)
	}
	return nil
}

// AddOpens adds counts to the stored ones, one upsert per row, in one
// transaction.
func (s *Dashboards) AddOpens(ctx context.Context, opens []portal.Open) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, o := range opens {
			ctx := tenant.WithScope(ctx, o.TenantID) // each row is written behind its own tenant's wall
			if _, err := tx.ExecContext(ctx, `INSERT INTO widget_opens (tenant_id, day, widget, opens) VALUES ($1, $2, $3, $4)
				ON CONFLICT (tenant_id, day, widget) DO UPDATE SET opens = widget_opens.opens + $4`, o.TenantID, o.Day, o.Key, o.Opens); err != nil {
				return fmt.Errorf("add widget opens: %w", err)
			}
		}
		return nil
	})
}

// Opens sums a tenant's counts per key from a day on.
func (s *Dashboards) Opens(ctx context.Context, tenantID, since string) (map[string]int64, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT widget, SUM(opens) FROM widget_opens WHERE tenant_id = $1 AND day >= $2 GROUP BY widget`,
		tenantID, since)
	if err != nil {
		return nil, fmt.Errorf("widget opens: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return nil, fmt.Errorf("widget opens: %w", err)
		}
		out[k] = n
	}
	return out, rows.Err()
}
