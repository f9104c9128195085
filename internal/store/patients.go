package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/patients"
	"github.com/salvehealth/salve/internal/tenant"
)

// Patients finds patients for the staff view by blind index or order
// reference, never by opened PHI.
type Patients struct{ db *DB }

// NewPatients returns the patient search queries of a PHI store.
func NewPatients(db *DB) *Patients { return &Patients{db: db} }

var _ patients.Store = (*Patients)(nil)

// PatientsByName lists the ids of a tenant's patient accounts whose
// full-name blind index is bidx, at most limit.
func (q *Patients) PatientsByName(ctx context.Context, tenantID string, bidx []byte, limit int) ([]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return q.ids(ctx, `SELECT id FROM users WHERE tenant_id = $1 AND name_bidx = $2 AND role = 'patient'
		ORDER BY created_at, id LIMIT $3`, tenantID, bidx, limit)
}

// PatientsByDOB lists the ids of a tenant's patient accounts whose
// date-of-birth blind index is bidx, at most limit.
func (q *Patients) PatientsByDOB(ctx context.Context, tenantID string, bidx []byte, limit int) ([]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return q.ids(ctx, `SELECT id FROM users WHERE tenant_id = $1 AND dob_bidx = $2 AND role = 'patient'
		ORDER BY created_at, id LIMIT $3`, tenantID, bidx, limit)
}

func (q *Patients) ids(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := q.db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("find patients: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan patient: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// PatientByOrderReference returns the owner of a tenant's order by its
// reference; NotFound when there is none.
func (q *Patients) PatientByOrderReference(ctx context.Context, tenantID, reference string) (string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var id string
	err := q.db.r.QueryRowContext(ctx, `SELECT user_id FROM orders WHERE tenant_id = $1 AND reference = $2`, tenantID, reference).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.NotFoundError()
	}
	if err != nil {
		return "", fmt.Errorf("order by reference: %w", err)
	}
	return id, nil
}
