package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/records"
	"github.com/salvehealth/salve/internal/tenant"
)

// Records are the copies of patients' records (record_exports) in the PHI
// store: the right of access's files, sealed, kept 7 days.
type Records struct{ db *DB }

// NewRecords returns the record exports of a PHI store.
func NewRecords(db *DB) *Records { return &Records{db: db} }

var _ records.Store = (*Records)(nil)

const recordColumns = `id, tenant_id, patient_id, requested_by, classes, status, progress, size, error,
	created_at, started_at, ready_at, expires_at`

func scanRecord(row interface{ Scan(...any) error }, withArchive bool) (records.Record, error) {
	var r records.Record
	var classes, status string
	var started, ready, expires sql.NullTime
	dest := []any{&r.ID, &r.TenantID, &r.PatientID, &r.RequestedBy, &classes, &status, &r.Progress, &r.Size, &r.Error,
		&r.CreatedAt, &started, &ready, &expires}
	if withArchive {
		dest = append(dest, &r.ArchiveCT)
	}
	if err := row.Scan(dest...); err != nil {
		return r, err
	}
	r.Classes, r.Status = records.ParseClasses(classes), records.Status(status)
	r.CreatedAt = r.CreatedAt.UTC()
	for _, p := range []struct {
		n *sql.NullTime
		t *time.Time
	}{{&started, &r.StartedAt}, {&ready, &r.ReadyAt}, {&expires, &r.ExpiresAt}} {
		if p.n.Valid {
			*p.t = p.n.Time.UTC()
		}
	}
	return r, nil
}

func (s *Records) list(ctx context.Context, query string, args ...any) ([]records.Record, error) {
	rows, err := s.db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("record exports: %w", err)
	}
	defer rows.Close()
	var out []records.Record
	for rows.Next() {
		r, err := scanRecord(rows, false)
		if err != nil {
			return nil, fmt.Errorf("record exports: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("record exports: %w", err)
	}
	return out, nil
}

// Insert stores a new export request.
func (s *Records) Insert(ctx context.Context, r records.Record) error {
	ctx = tenant.WithScope(ctx, r.TenantID)
	_, err := s.db.w.ExecContext(ctx, `INSERT INTO record_exports (id, tenant_id, patient_id, requested_by, classes, status, progress, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, r.ID, r.TenantID, r.PatientID, r.RequestedBy, records.ClassesText(r.Classes),
		string(r.Status), r.Progress, r.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert record export: %w", err)
	}
	return nil
}

// ByID returns an export of a tenant with its sealed archive, or NotFound.
func (s *Records) ByID(ctx context.Context, tenantID, id string) (records.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	r, err := scanRecord(s.db.r.QueryRowContext(ctx, `SELECT `+recordColumns+`, archive_ct FROM record_exports
		WHERE id = $1 AND tenant_id = $2`, id, tenantID), true)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundError()
	}
	if err != nil {
		return r, fmt.Errorf("record export: %w", err)
	}
	return r, nil
}

// ForRequester returns a patient's exports asked for by requester, newest
// first, without their archives.
func (s *Records) ForRequester(ctx context.Context, tenantID, patientID, requester string, limit int) ([]records.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.list(ctx, `SELECT `+recordColumns+` FROM record_exports WHERE tenant_id = $1 AND patient_id = $2 AND requested_by = $3
		ORDER BY created_at DESC, id DESC LIMIT $4`, tenantID, patientID, requester, limit)
}

// Claim marks up to limit waiting exports (and stale builds) as building.
// Why a conditional update per row: of two processes claiming the same row,
// only the one whose update still finds it waiting gets it, on both engines.
func (s *Records) Claim(ctx context.Context, now, staleBefore time.Time, limit int) ([]records.Record, error) {
	ctx = tenant.AcrossTenants(ctx) // the export job walks every tenant
	cands, err := s.list(ctx, `SELECT `+recordColumns+` FROM record_exports
		WHERE status = 'pending' OR (status = 'building' AND started_at < $1) ORDER BY created_at LIMIT $2`, staleBefore, limit)
	if err != nil {
		return nil, err
	}
	var out []records.Record
	for _, r := range cands {
		res, err := s.db.w.ExecContext(ctx, `UPDATE record_exports SET status = 'building', progress = 5, started_at = $1
			WHERE id = $2 AND (status = 'pending' OR (status = 'building' AND started_at < $3))`, now, r.ID, staleBefore)
		if err != nil {
			return out, fmt.Errorf("claim record export: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			r.Status, r.Progress, r.StartedAt = records.Building, 5, now
			out = append(out, r)
		}
	}
	return out, nil
}

// Progress records how far a build is.
func (s *Records) Progress(ctx context.Context, id string, progress int) error {
	ctx = tenant.AcrossTenants(ctx) // the export job reports on what Claim found, in any tenant
	if _, err := s.db.w.ExecContext(ctx, `UPDATE record_exports SET progress = $1 WHERE id = $2 AND status = 'building'`,
		min(max(progress, 0), 100), id); err != nil {
		return fmt.Errorf("record export progress: %w", err)
	}
	return nil
}

// Finish stores the outcome of a build.
func (s *Records) Finish(ctx context.Context, r records.Record) error {
	ctx = tenant.WithScope(ctx, r.TenantID)
	if _, err := s.db.w.ExecContext(ctx, `UPDATE record_exports SET status = $1, progress = $2, archive_ct = $3, size = $4,
		error = $5, classes = $6, ready_at = $7, expires_at = $8 WHERE id = $9 AND tenant_id = $10`,
		string(r.Status), r.Progress, r.ArchiveCT, r.Size, r.Error, records.ClassesText(r.Classes),
		nullTime(r.ReadyAt), nullTime(r.ExpiresAt), r.ID, r.TenantID); err != nil {
		return fmt.Errorf("finish record export: %w", err)
	}
	return nil
}

// Expired returns ready exports past their expiry and failed ones created
// before failedBefore.
func (s *Records) Expired(ctx context.Context, now, failedBefore time.Time, limit int) ([]records.Record, error) {
	ctx = tenant.AcrossTenants(ctx) // the export cleanup walks every tenant
	return s.list(ctx, `SELECT `+recordColumns+` FROM record_exports
		WHERE (status = 'ready' AND expires_at <= $1) OR (status = 'failed' AND created_at < $2) ORDER BY created_at LIMIT $3`,
		now, failedBefore, limit)
}

// Delete removes an export and its sealed file.
func (s *Records) Delete(ctx context.Context, tenantID, id string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := s.db.w.ExecContext(ctx, `DELETE FROM record_exports WHERE id = $1 AND tenant_id = $2`, id, tenantID); err != nil {
		return fmt.Errorf("delete record export: %w", err)
	}
	return nil
}
