package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/salvehealth/salve/internal/amend"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
)

// Amendments keeps patients' amendment requests in the PHI store. It
// implements amend.Store: the texts arrive sealed by the vault.
type Amendments struct{ db *DB }

// NewAmendments returns the amendment storage of a PHI store.
func NewAmendments(db *DB) *Amendments { return &Amendments{db: db} }

var _ amend.Store = (*Amendments)(nil)

const amendColumns = `id, tenant_id, patient_id, requester_id, kind, record_id, status, requested_at, due_at, extended,
	decided_at, decider_id, disagreed, body_ct`

func scanAmendment(row interface{ Scan(...any) error }) (amend.Record, error) {
	var r amend.Record
	var kind, status string
	var decided sql.NullTime
	err := row.Scan(&r.ID, &r.TenantID, &r.PatientID, &r.RequesterID, &kind, &r.RecordID, &status, &r.RequestedAt, &r.DueAt, &r.Extended,
		&decided, &r.DeciderID, &r.Disagreed, &r.BodyCT)
	r.Kind, r.Status = amend.Kind(kind), amend.Status(status)
	r.RequestedAt, r.DueAt, r.DecidedAt = r.RequestedAt.UTC(), r.DueAt.UTC(), timeOf(decided)
	return r, err
}

// Insert stores a new request.
func (s *Amendments) Insert(ctx context.Context, r amend.Record) error {
	ctx = tenant.WithScope(ctx, r.TenantID)
	if _, err := s.db.w.ExecContext(ctx, `INSERT INTO amendments (`+amendColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		r.ID, r.TenantID, r.PatientID, r.RequesterID, string(r.Kind), r.RecordID, string(r.Status), r.RequestedAt.UTC(), r.DueAt.UTC(),
		r.Extended, nullTime(r.DecidedAt), r.DeciderID, r.Disagreed, r.BodyCT); err != nil {
		return fmt.Errorf("insert amendment: %w", err)
	}
	return nil
}

// ByID returns a request of a tenant, or NotFound.
func (s *Amendments) ByID(ctx context.Context, tenantID, amendmentID string) (amend.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	r, err := scanAmendment(s.db.r.QueryRowContext(ctx, `SELECT `+amendColumns+` FROM amendments WHERE id = $1 AND tenant_id = $2`, amendmentID, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundError()
	}
	if err != nil {
		return r, fmt.Errorf("amendment: %w", err)
	}
	return r, nil
}

func (s *Amendments) list(ctx context.Context, query string, args ...any) ([]amend.Record, error) {
	rows, err := s.db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("amendments: %w", err)
	}
	defer rows.Close()
	var out []amend.Record
	for rows.Next() {
		r, err := scanAmendment(rows)
		if err != nil {
			return nil, fmt.Errorf("amendments: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ByPatient returns a patient's requests, newest first, at most limit.
func (s *Amendments) ByPatient(ctx context.Context, tenantID, patientID string, limit int) ([]amend.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.list(ctx, `SELECT `+amendColumns+` FROM amendments WHERE tenant_id = $1 AND patient_id = $2
		ORDER BY requested_at DESC, id DESC LIMIT $3`, tenantID, patientID, limit)
}

// ByRecord returns the requests about one record, oldest first.
func (s *Amendments) ByRecord(ctx context.Context, tenantID string, kind amend.Kind, recordID string) ([]amend.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.list(ctx, `SELECT `+amendColumns+` FROM amendments WHERE tenant_id = $1 AND kind = $2 AND record_id = $3
		ORDER BY requested_at, id`, tenantID, string(kind), recordID)
}

// Open returns a tenant's requests waiting for a decision, of the given
// kinds (all when empty), the earliest due first, at most limit.
func (s *Amendments) Open(ctx context.Context, tenantID string, kinds []amend.Kind, limit int) ([]amend.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	q := `SELECT ` + amendColumns + ` FROM amendments WHERE tenant_id = $1 AND status = 'requested'`
	args := []any{tenantID}
	if len(kinds) > 0 {
		ph := make([]string, len(kinds))
		for i, k := range kinds {
			args = append(args, string(k))
			ph[i] = "$" + strconv.Itoa(len(args))
		}
		q += ` AND kind IN (` + strings.Join(ph, ", ") + `)`
	}
	args = append(args, limit)
	q += ` ORDER BY due_at, id LIMIT $` + strconv.Itoa(len(args))
	return s.list(ctx, q, args...)
}

// Update writes a request's new state if it is still in the state prev (its
// status, extension and statement); a Conflict (apperr.StaleError) when
// someone else changed it first.
func (s *Amendments) Update(ctx context.Context, prev, next amend.Record) error {
	ctx = tenant.WithScope(ctx, prev.TenantID)
	res, err := s.db.w.ExecContext(ctx, `UPDATE amendments SET status = $1, due_at = $2, extended = $3, decided_at = $4, decider_id = $5,
		disagreed = $6, body_ct = $7
		WHERE id = $8 AND tenant_id = $9 AND status = $10 AND extended = $11 AND disagreed = $12`,
		string(next.Status), next.DueAt.UTC(), next.Extended, nullTime(next.DecidedAt), next.DeciderID, next.Disagreed, next.BodyCT,
		prev.ID, prev.TenantID, string(prev.Status), prev.Extended, prev.Disagreed)
	if err != nil {
		return fmt.Errorf("update amendment: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return apperr.StaleError()
	}
	return nil
}
