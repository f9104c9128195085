package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/tenant"
)

// Labs keeps lab reports in the PHI store. It implements labs.Store: the
// panel and observations arrive sealed by the vault, and the store never
// sees inside them.
type Labs struct{ db *DB }

// NewLabs returns the lab report storage of a PHI store.
func NewLabs(db *DB) *Labs { return &Labs{db: db} }

var _ labs.Store = (*Labs)(nil)

const labColumns = `id, tenant_id, patient_id, clinician_id, status, attention, details_ct, created_at, release_at, released_at, seen_at`

// labSelect is labColumns as a SELECT list: the timestamps read as text on
// SQLite (COALESCE(col, NULL): texttime.go), which scanLab parses.
const labSelect = `id, tenant_id, patient_id, clinician_id, status, attention, details_ct, COALESCE(created_at, NULL), COALESCE(release_at, NULL), COALESCE(released_at, NULL), COALESCE(seen_at, NULL)`

// labReleasedSelect is labSelect without the tenant, patient and status,
// for Released, whose WHERE names all three: it sets them from its
// arguments (see orderOwnedColumns why).
const labReleasedSelect = `id, clinician_id, attention, details_ct, COALESCE(created_at, NULL), COALESCE(release_at, NULL), COALESCE(released_at, NULL), COALESCE(seen_at, NULL)`

func scanLab(row interface{ Scan(...any) error }, extra ...any) (labs.Record, error) {
	var r labs.Record
	var status string
	// A NULL timestamp is the zero time (timeScan), all of them in UTC.
	err := row.Scan(append([]any{&r.ID, &r.TenantID, &r.PatientID, &r.ClinicianID, &status, &r.Attention, &r.DetailsCT, timeScan{&r.CreatedAt},
		timeScan{&r.ReleaseAt}, timeScan{&r.ReleasedAt}, timeScan{&r.SeenAt}}, extra...)...)
	r.Status = labs.Status(status)
	return r, err
}

// Insert stores reports, all or none, in one transaction.
func (s *Labs) Insert(ctx context.Context, recs []labs.Record) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, r := range recs {
			ctx := tenant.WithScope(ctx, r.TenantID) // each row is written behind its own tenant's wall
			if _, err := tx.ExecContext(ctx, `INSERT INTO lab_reports (`+labColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
				r.ID, r.TenantID, r.PatientID, r.ClinicianID, string(r.Status), r.Attention, r.DetailsCT, r.CreatedAt.UTC(),
				nullTime(r.ReleaseAt), nullTime(r.ReleasedAt), nullTime(r.SeenAt)); err != nil {
				return fmt.Errorf("insert lab report: %w", err)
			}
		}
		return nil
	})
}

// ByID returns a report of a tenant, or NotFound.
func (s *Labs) ByID(ctx context.Context, tenantID, reportID string) (labs.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	r, err := scanLab(s.db.r.QueryRowContext(ctx, `SELECT `+labSelect+` FROM lab_reports WHERE id = $1 AND tenant_id = $2`, reportID, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundError()
	}
	if err != nil {
		return r, fmt.Errorf("lab report: %w", err)
	}
	return r, nil
}

func (s *Labs) list(ctx context.Context, query string, args ...any) ([]labs.Record, error) {
	rows, err := s.db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("lab reports: %w", err)
	}
	defer rows.Close()
	var out []labs.Record
	for rows.Next() {
		r, err := scanLab(rows)
		if err != nil {
			return nil, fmt.Errorf("lab reports: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Released returns a patient's released reports, newest first, at most
// limit, with how many there are and how many are new: one statement (the
// counts as window functions over the same rows).
func (s *Labs) Released(ctx context.Context, tenantID, patientID string, limit int) ([]labs.Record, int, int, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	// LIMIT CAST(...): a bare LIMIT parameter makes SQLite re-plan its cached
	// statement on every run (stmtcache.go). Why the counts as scalar
	// subqueries (each run once, over the index alone) rather than window
	// functions: a window makes SQLite read and sort every released report,
	// sealed details and all, before the LIMIT; here only the rows kept are
	// sorted with their details (the dashboard's widget keeps five).
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+labReleasedSelect+`,
		(SELECT COUNT(*) FROM lab_reports WHERE tenant_id = $1 AND patient_id = $2 AND status = 'released'),
		(SELECT COUNT(*) FROM lab_reports WHERE tenant_id = $1 AND patient_id = $2 AND status = 'released' AND seen_at IS NULL)
		FROM lab_reports WHERE tenant_id = $1 AND patient_id = $2 AND status = 'released'
		ORDER BY created_at DESC, id DESC LIMIT CAST($3 AS INTEGER)`, tenantID, patientID, limit)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("lab reports: %w", err)
	}
	defer rows.Close()
	var out []labs.Record
	var total, fresh int
	for rows.Next() {
		r := labs.Record{TenantID: tenantID, PatientID: patientID, Status: labs.Released}
		err := rows.Scan(&r.ID, &r.ClinicianID, &r.Attention, &r.DetailsCT, timeScan{&r.CreatedAt}, timeScan{&r.ReleaseAt},
			timeScan{&r.ReleasedAt}, timeScan{&r.SeenAt}, &total, &fresh)
		if err != nil {
			return nil, 0, 0, fmt.Errorf("lab reports: %w", err)
		}
		out = append(out, r)
	}
	return out, total, fresh, rows.Err()
}

// ByClinician returns the reports a clinician ordered: attention first,
// then held, then newest, at most limit.
func (s *Labs) ByClinician(ctx context.Context, tenantID, clinicianID string, limit int) ([]labs.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	// LIMIT CAST(...): a bare LIMIT parameter makes SQLite re-plan its cached
	// statement on every run (stmtcache.go).
	return s.list(ctx, `SELECT `+labSelect+` FROM lab_reports WHERE tenant_id = $1 AND clinician_id = $2
		ORDER BY CASE WHEN attention THEN 0 ELSE 1 END, CASE WHEN status = 'held' THEN 0 ELSE 1 END, created_at DESC, id DESC LIMIT CAST($3 AS INTEGER)`,
		tenantID, clinicianID, limit)
}

// Release moves a held report to released; a Conflict (apperr.ErrStale)
// when it is not held.
func (s *Labs) Release(ctx context.Context, tenantID, reportID string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE lab_reports SET status = 'released', released_at = $1 WHERE id = $2 AND tenant_id = $3 AND status = 'held'`,
			now.UTC(), reportID, tenantID)
		if err != nil {
			return fmt.Errorf("release lab report: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.StaleError()
		}
		return nil
	})
}

// ReleaseDue releases every held report whose release time has come, at most
// limit, and returns them. Why select then update by id with the status
// condition: two replicas' jobs (should the lease ever overlap) release a
// report once, and only what this call released is returned.
func (s *Labs) ReleaseDue(ctx context.Context, now time.Time, limit int) ([]labs.Record, error) {
	ctx = tenant.AcrossTenants(ctx) // the release job walks every tenant
	var out []labs.Record
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		out = nil
		due, err := dueLabs(ctx, tx, now, limit)
		if err != nil {
			return err
		}
		for _, r := range due {
			res, err := tx.ExecContext(ctx, `UPDATE lab_reports SET status = 'released', released_at = $1 WHERE id = $2 AND status = 'held'`, now.UTC(), r.ID)
			if err != nil {
				return fmt.Errorf("release lab report: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				r.Status, r.ReleasedAt = labs.Released, now.UTC()
				out = append(out, r)
			}
		}
		return nil
	})
	return out, err
}

// MarkSeen records the patient's first opening of a report.
func (s *Labs) MarkSeen(ctx context.Context, tenantID, reportID string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE lab_reports SET seen_at = $1 WHERE id = $2 AND tenant_id = $3 AND seen_at IS NULL`,
			now.UTC(), reportID, tenantID); err != nil {
			return fmt.Errorf("mark lab report seen: %w", err)
		}
		return nil
	})
}

// Acknowledge clears a report's attention flag for its clinician; NotFound
// when the report is not theirs or needs no attention.
func (s *Labs) Acknowledge(ctx context.Context, tenantID, reportID, clinicianID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE lab_reports SET attention = $1 WHERE id = $2 AND tenant_id = $3 AND clinician_id = $4 AND attention`,
			false, reportID, tenantID, clinicianID)
		if err != nil {
			return fmt.Errorf("acknowledge lab report: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundError()
		}
		return nil
	})
}

// AttentionCount counts a clinician's reports needing attention.
func (s *Labs) AttentionCount(ctx context.Context, tenantID, clinicianID string) (int, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var n int
	if err := s.db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM lab_reports WHERE tenant_id = $1 AND clinician_id = $2 AND attention`,
		tenantID, clinicianID).Scan(&n); err != nil {
		return 0, fmt.Errorf("lab attention count: %w", err)
	}
	return n, nil
}

// ReleaseDelay is a tenant's automatic release delay; 0 when never set.
func (s *Labs) ReleaseDelay(ctx context.Context, tenantID string) (time.Duration, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var secs int64
	err := s.db.r.QueryRowContext(ctx, `SELECT release_delay_seconds FROM lab_settings WHERE tenant_id = $1`, tenantID).Scan(&secs)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("lab settings: %w", err)
	}
	return time.Duration(secs) * time.Second, nil
}

// LegacyReleaseDelay returns the delay kept in this table, if any (it now
// lives in the brand's settings: server.AdoptLegacyPolicies).
func (s *Labs) LegacyReleaseDelay(ctx context.Context, tenantID string) (time.Duration, bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var secs int64
	err := s.db.r.QueryRowContext(ctx, `SELECT release_delay_seconds FROM lab_settings WHERE tenant_id = $1`, tenantID).Scan(&secs)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("lab settings: %w", err)
	}
	return time.Duration(secs) * time.Second, true, nil
}

// ClearReleaseDelay removes the tenant's row from this table.
func (s *Labs) ClearReleaseDelay(ctx context.Context, tenantID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := s.db.w.ExecContext(ctx, `DELETE FROM lab_settings WHERE tenant_id = $1`, tenantID); err != nil {
		return fmt.Errorf("clear lab settings: %w", err)
	}
	return nil
}

// SetReleaseDelay sets a tenant's automatic release delay.
func (s *Labs) SetReleaseDelay(ctx context.Context, tenantID string, d time.Duration, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO lab_settings (tenant_id, release_delay_seconds, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (tenant_id) DO UPDATE SET release_delay_seconds = excluded.release_delay_seconds, updated_at = excluded.updated_at`,
			tenantID, int64(d/time.Second), now.UTC()); err != nil {
			return fmt.Errorf("set lab settings: %w", err)
		}
		return nil
	})
}

// dueLabs reads the held reports whose release time has come, inside tx.
func dueLabs(ctx context.Context, tx *sql.Tx, now time.Time, limit int) ([]labs.Record, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+labSelect+` FROM lab_reports WHERE status = 'held' AND release_at IS NOT NULL AND release_at <= $1
		ORDER BY release_at LIMIT $2`, now.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("due lab reports: %w", err)
	}
	defer rows.Close()
	var due []labs.Record
	for rows.Next() {
		r, err := scanLab(rows)
		if err != nil {
			return nil, fmt.Errorf("due lab reports: %w", err)
		}
		due = append(due, r)
	}
	return due, rows.Err()
}

// Correct writes a report's corrected details (an accepted amendment) if
// they are still prev; a Conflict (apperr.StaleError) otherwise. Why the
// sealed bytes as the condition: the report has no version, and any change
// to its details re-seals them, so equal bytes mean nobody changed it.
func (s *Labs) Correct(ctx context.Context, tenantID, reportID string, prev, next []byte) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE lab_reports SET details_ct = $1 WHERE id = $2 AND tenant_id = $3 AND details_ct = $4`,
			next, reportID, tenantID, prev)
		if err != nil {
			return fmt.Errorf("correct lab report: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return apperr.StaleError()
		}
		return nil
	})
}
