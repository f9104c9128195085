package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/tenant"
)

// InvoicePayments keeps the payment pages made for orders placed by invoice
// and paid later online (orders.InvoicePages), in the PHI store next to the
// orders they belong to.
type InvoicePayments struct{ db *DB }

// NewInvoicePayments returns the invoice payment pages of a PHI store.
func NewInvoicePayments(db *DB) *InvoicePayments { return &InvoicePayments{db: db} }

var _ orders.InvoicePages = (*InvoicePayments)(nil)

// Latest returns the newest page made for an order, or NotFound. It reads
// through the writer, so a page just added by a racing request is seen.
func (s *InvoicePayments) Latest(ctx context.Context, tenantID, orderID string) (orders.InvoicePage, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var p orders.InvoicePage
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT tenant_id, order_id, attempt, gateway, session_id, expires_at, created_at
			FROM invoice_payments WHERE tenant_id = $1 AND order_id = $2 ORDER BY attempt DESC LIMIT 1`, tenantID, orderID).
			Scan(&p.TenantID, &p.OrderID, &p.Attempt, &p.Gateway, &p.SessionID, &p.ExpiresAt, &p.CreatedAt)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.NotFoundError()
	}
	if err != nil {
		return p, fmt.Errorf("invoice payment page: %w", err)
	}
	p.ExpiresAt, p.CreatedAt = p.ExpiresAt.UTC(), p.CreatedAt.UTC()
	return p, nil
}

// Add records a new page; an attempt already taken is apperr.ErrDuplicate.
func (s *InvoicePayments) Add(ctx context.Context, p orders.InvoicePage) error {
	ctx = tenant.WithScope(ctx, p.TenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO invoice_payments (tenant_id, order_id, attempt, gateway, session_id, expires_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, p.TenantID, p.OrderID, p.Attempt, p.Gateway, p.SessionID, p.ExpiresAt, p.CreatedAt)
		if isUniqueViolation(err) {
			return apperr.DuplicateError("this payment page")
		}
		if err != nil {
			return fmt.Errorf("add invoice payment page: %w", err)
		}
		return nil
	})
}

// SetSession records the gateway's id for a page.
func (s *InvoicePayments) SetSession(ctx context.Context, tenantID, orderID string, attempt int, sessionID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE invoice_payments SET session_id = $1
			WHERE tenant_id = $2 AND order_id = $3 AND attempt = $4`, sessionID, tenantID, orderID, attempt); err != nil {
			return fmt.Errorf("invoice payment page session: %w", err)
		}
		return nil
	})
}

// Started reports whether a page on gateway was ever made for an order.
func (s *InvoicePayments) Started(ctx context.Context, tenantID, orderID, gateway string) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var n int
	err := s.db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM invoice_payments WHERE tenant_id = $1 AND order_id = $2 AND gateway = $3`,
		tenantID, orderID, gateway).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("invoice payment pages: %w", err)
	}
	return n > 0, nil
}

// SwitchGateway records that an order still waiting for payment by gateway
// from is being paid through gateway to; apperr.ErrStale when the order is
// no longer waiting or no longer on from (another request moved it first).
func (s *InvoicePayments) SwitchGateway(ctx context.Context, tenantID, orderID, from, to string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE orders SET gateway = $1, updated_at = $2
			WHERE id = $3 AND tenant_id = $4 AND status = 'pending_payment' AND gateway = $5`, to, now, orderID, tenantID, from)
		if err != nil {
			return fmt.Errorf("order gateway: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return apperr.StaleError()
		}
		return nil
	})
}

// Unchecked returns pages, in every tenant, that expired before the given
// time and were never asked about, whose order still waits for payment by
// invoice, oldest first, at most limit: what reconciliation asks the
// gateway about.
func (s *InvoicePayments) Unchecked(ctx context.Context, before time.Time, limit int) ([]orders.InvoicePage, error) {
	ctx = tenant.AcrossTenants(ctx) // the payment check job walks every tenant
	rows, err := s.db.r.QueryContext(ctx, `SELECT p.tenant_id, p.order_id, p.attempt, p.gateway, p.session_id, p.expires_at, p.created_at
		FROM invoice_payments p JOIN orders o ON o.tenant_id = p.tenant_id AND o.id = p.order_id
		WHERE p.checked_at IS NULL AND p.expires_at < $1 AND p.session_id <> ''
		AND o.status = 'pending_payment' AND o.gateway = 'invoice'
		ORDER BY p.expires_at, p.order_id LIMIT CAST($2 AS INTEGER)`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("unchecked invoice payment pages: %w", err)
	}
	defer rows.Close()
	var out []orders.InvoicePage
	for rows.Next() {
		var p orders.InvoicePage
		if err := rows.Scan(&p.TenantID, &p.OrderID, &p.Attempt, &p.Gateway, &p.SessionID, &p.ExpiresAt, &p.CreatedAt); err != nil {
			return nil, fmt.Errorf("unchecked invoice payment pages: %w", err)
		}
		p.ExpiresAt, p.CreatedAt = p.ExpiresAt.UTC(), p.CreatedAt.UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}

// MarkChecked records that reconciliation asked the gateway about a page.
func (s *InvoicePayments) MarkChecked(ctx context.Context, tenantID, orderID string, attempt int, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE invoice_payments SET checked_at = $1
			WHERE tenant_id = $2 AND order_id = $3 AND attempt = $4`, now, tenantID, orderID, attempt); err != nil {
			return fmt.Errorf("invoice payment page checked: %w", err)
		}
		return nil
	})
}
