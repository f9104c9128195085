package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/rx"
	"github.com/salvehealth/salve/internal/tenant"
)

// Rx keeps prescriptions, their uploads and their fills in the PHI store.
// It implements rx.Store.
type Rx struct{ db *DB }

// NewRx returns the prescription storage of a PHI store.
func NewRx(db *DB) *Rx { return &Rx{db: db} }

var _ rx.Store = (*Rx)(nil)

const rxColumns = `id, tenant_id, user_id, status, source, details_ct, fills_left, days_supply, expires_at, last_fill_at,
	reminded_at, decided_by, version, created_at, updated_at`

// rxSelect is rxColumns as a SELECT list: the timestamps read as text on
// SQLite (COALESCE(col, NULL): texttime.go), which scanRx parses.
const rxSelect = `id, tenant_id, user_id, status, source, details_ct, fills_left, days_supply, COALESCE(expires_at, NULL), COALESCE(last_fill_at, NULL), COALESCE(reminded_at, NULL), decided_by, version, COALESCE(created_at, NULL), COALESCE(updated_at, NULL)`

func rxTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: !t.IsZero()} }

// rxOwnedSelect is rxSelect without the tenant and owner, for a read whose
// WHERE names both (ByOwner): scanOwnedRx sets them from its arguments (see
// orderOwnedColumns why).
const rxOwnedSelect = `id, status, source, details_ct, fills_left, days_supply, COALESCE(expires_at, NULL), COALESCE(last_fill_at, NULL), COALESCE(reminded_at, NULL), decided_by, version, COALESCE(created_at, NULL), COALESCE(updated_at, NULL)`

// scanOwnedRx scans rxOwnedSelect of a row of tenantID's userID.
func scanOwnedRx(row interface{ Scan(...any) error }, tenantID, userID string) (rx.Record, error) {
	r := rx.Record{TenantID: tenantID, UserID: userID}
	var status, source string
	err := row.Scan(&r.ID, &status, &source, &r.DetailsCT, &r.FillsLeft, &r.DaysSupply, timeScan{&r.ExpiresAt},
		timeScan{&r.LastFillAt}, timeScan{&r.RemindedAt}, &r.DecidedBy, &r.Version, timeScan{&r.CreatedAt}, timeScan{&r.UpdatedAt})
	r.Status, r.Source = rx.Status(status), rx.Source(source)
	return r, err
}

func scanRx(row interface{ Scan(...any) error }) (rx.Record, error) {
	var r rx.Record
	var status, source string
	// A NULL timestamp is the zero time (timeScan), all of them in UTC.
	err := row.Scan(&r.ID, &r.TenantID, &r.UserID, &status, &source, &r.DetailsCT, &r.FillsLeft, &r.DaysSupply, timeScan{&r.ExpiresAt},
		timeScan{&r.LastFillAt}, timeScan{&r.RemindedAt}, &r.DecidedBy, &r.Version, timeScan{&r.CreatedAt}, timeScan{&r.UpdatedAt})
	r.Status, r.Source = rx.Status(status), rx.Source(source)
	return r, err
}

func (s *Rx) list(ctx context.Context, what, q string, args ...any) ([]rx.Record, error) {
	return s.listWith(ctx, scanRx, what, q, args...)
}

// listWith is list with the rows scanned by scan.
func (s *Rx) listWith(ctx context.Context, scan func(interface{ Scan(...any) error }) (rx.Record, error), what, q string, args ...any) ([]rx.Record, error) {
	rows, err := s.db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []rx.Record
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Insert stores a new prescription and its upload (nil for none) in one
// transaction.
func (s *Rx) Insert(ctx context.Context, r rx.Record, up *rx.Upload) error {
	ctx = tenant.WithScope(ctx, r.TenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO rx_prescriptions (`+rxColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			r.ID, r.TenantID, r.UserID, string(r.Status), string(r.Source), r.DetailsCT, r.FillsLeft, r.DaysSupply,
			rxTime(r.ExpiresAt), rxTime(r.LastFillAt), rxTime(r.RemindedAt), r.DecidedBy, r.Version, r.CreatedAt, r.UpdatedAt); err != nil {
			return fmt.Errorf("insert prescription: %w", err)
		}
		if up == nil {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO rx_uploads (prescription_id, tenant_id, user_id, content_type, size, data_ct, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, up.PrescriptionID, up.TenantID, up.UserID, up.ContentType, up.Size, up.DataCT, up.CreatedAt); err != nil {
			return fmt.Errorf("insert prescription upload: %w", err)
		}
		return nil
	})
}

// ByID returns a prescription of a tenant, or NotFound.
func (s *Rx) ByID(ctx context.Context, tenantID, id string) (rx.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	r, err := scanRx(s.db.r.QueryRowContext(ctx, `SELECT `+rxSelect+` FROM rx_prescriptions WHERE id = $1 AND tenant_id = $2`, id, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundError()
	}
	if err != nil {
		return r, fmt.Errorf("prescription: %w", err)
	}
	return r, nil
}

// ByOwner returns a person's prescriptions, newest first, at most limit.
func (s *Rx) ByOwner(ctx context.Context, tenantID, userID string, limit int) ([]rx.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	// LIMIT CAST(...): a bare LIMIT parameter makes SQLite re-plan its cached
	// statement on every run (stmtcache.go).
	scan := func(row interface{ Scan(...any) error }) (rx.Record, error) {
		return scanOwnedRx(row, tenantID, userID)
	}
	return s.listWith(ctx, scan, "prescriptions", `SELECT `+rxOwnedSelect+` FROM rx_prescriptions WHERE tenant_id = $1 AND user_id = $2
		ORDER BY created_at DESC, id DESC LIMIT CAST($3 AS INTEGER)`, tenantID, userID, limit)
}

// Queue returns a tenant's prescriptions in a status, oldest first, at most
// limit.
func (s *Rx) Queue(ctx context.Context, tenantID string, status rx.Status, limit int) ([]rx.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.list(ctx, "prescription queue", `SELECT `+rxSelect+` FROM rx_prescriptions WHERE tenant_id = $1 AND status = $2
		ORDER BY created_at, id LIMIT $3`, tenantID, string(status), limit)
}

// Upload returns the upload of a prescription of a tenant, or NotFound.
func (s *Rx) Upload(ctx context.Context, tenantID, prescriptionID string) (rx.Upload, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var u rx.Upload
	err := s.db.r.QueryRowContext(ctx, `SELECT prescription_id, tenant_id, user_id, content_type, size, data_ct, created_at
		FROM rx_uploads WHERE prescription_id = $1 AND tenant_id = $2`, prescriptionID, tenantID).
		Scan(&u.PrescriptionID, &u.TenantID, &u.UserID, &u.ContentType, &u.Size, &u.DataCT, &u.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.NotFoundError()
	}
	if err != nil {
		return u, fmt.Errorf("prescription upload: %w", err)
	}
	return u, nil
}

// Decide records a decision on a pending prescription read at version; a
// Conflict (apperr.ErrStale) when another decision came first.
func (s *Rx) Decide(ctx context.Context, tenantID, id string, version int64, d rx.Decision, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE rx_prescriptions SET status = $1, details_ct = $2, fills_left = $3, days_supply = $4,
			expires_at = $5, decided_by = $6, version = version + 1, updated_at = $7
			WHERE id = $8 AND tenant_id = $9 AND status = 'pending' AND version = $10`,
			string(d.Status), d.DetailsCT, d.FillsLeft, d.DaysSupply, rxTime(d.ExpiresAt), d.DecidedBy, now, id, tenantID, version)
		if err != nil {
			return fmt.Errorf("decide prescription: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return apperr.StaleError()
		}
		return nil
	})
}

// Fill uses one fill of each prescription for an order, all or nothing. Why
// a conditional UPDATE per prescription in one transaction: the check
// (verified, unexpired, a fill left) and the use are one statement, so two
// orders racing for the last fill cannot both take it, and an order with
// two prescription lines takes both fills or neither.
func (s *Rx) Fill(ctx context.Context, tenantID, orderID string, ids []string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var used int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM rx_fills WHERE order_id = $1 AND tenant_id = $2`, orderID, tenantID).Scan(&used); err != nil {
			return fmt.Errorf("prescription fills: %w", err)
		}
		if used > 0 {
			return nil // covered before: a retry uses nothing more
		}
		if len(ids) == 0 {
			return apperr.StaleError()
		}
		for _, id := range ids {
			res, err := tx.ExecContext(ctx, `UPDATE rx_prescriptions SET fills_left = fills_left - 1, last_fill_at = $1, updated_at = $1
				WHERE id = $2 AND tenant_id = $3 AND status = 'verified' AND fills_left > 0 AND expires_at > $1`, now, id, tenantID)
			if err != nil {
				return fmt.Errorf("use a fill: %w", err)
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return apperr.StaleError()
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO rx_fills (prescription_id, order_id, tenant_id, created_at) VALUES ($1, $2, $3, $4)`,
				id, orderID, tenantID, now); err != nil {
				return fmt.Errorf("record a fill: %w", err)
			}
		}
		return nil
	})
}

// Reminders returns verified, unexpired prescriptions with a fill left and a
// days' supply, in every tenant, not reminded of since their last fill.
func (s *Rx) Reminders(ctx context.Context, now time.Time, limit int) ([]rx.Record, error) {
	ctx = tenant.AcrossTenants(ctx) // the refill reminder job walks every tenant
	return s.list(ctx, "refill reminders", `SELECT `+rxSelect+` FROM rx_prescriptions
		WHERE status = 'verified' AND fills_left > 0 AND days_supply > 0 AND expires_at > $1
		AND (reminded_at IS NULL OR (last_fill_at IS NOT NULL AND reminded_at < last_fill_at))
		ORDER BY id LIMIT $2`, now, limit)
}

// MarkReminded records that the refill reminder went out.
func (s *Rx) MarkReminded(ctx context.Context, tenantID, id string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE rx_prescriptions SET reminded_at = $1 WHERE id = $2 AND tenant_id = $3`, now, id, tenantID); err != nil {
			return fmt.Errorf("prescription reminded: %w", err)
		}
		return nil
	})
}

// Correct writes a prescription's corrected details (an accepted
// amendment) if it is still at version, and moves its version on; a
// Conflict (apperr.StaleError) otherwise. updated_at stays: it is the base
// of the refill clock before the first fill, which a correction must not
// move.
func (s *Rx) Correct(ctx context.Context, tenantID, id string, version int64, detailsCT []byte) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE rx_prescriptions SET details_ct = $1, version = version + 1
			WHERE id = $2 AND tenant_id = $3 AND version = $4`, detailsCT, id, tenantID, version)
		if err != nil {
			return fmt.Errorf("correct prescription: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return apperr.StaleError()
		}
		return nil
	})
}
