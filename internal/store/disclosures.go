package store

import (
	"context"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/accounting"
	"github.com/salvehealth/salve/internal/tenant"
)

// Disclosures are the records of patients' data sent to outside parties
// (disclosures) in the PHI store, for the accounting of disclosures.
type Disclosures struct{ db *DB }

// NewDisclosures returns the disclosures of a PHI store.
func NewDisclosures(db *DB) *Disclosures { return &Disclosures{db: db} }

var _ accounting.Store = (*Disclosures)(nil)

// Insert stores a disclosure.
func (s *Disclosures) Insert(ctx context.Context, r accounting.Row) error {
	ctx = tenant.WithScope(ctx, r.TenantID)
	if _, err := s.db.w.ExecContext(ctx, `INSERT INTO disclosures (id, tenant_id, patient_id, disclosed_at, recorded_by, details_ct, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.ID, r.TenantID, r.PatientID, r.At.UTC(), r.RecordedBy, r.DetailsCT, r.CreatedAt.UTC()); err != nil {
		return fmt.Errorf("insert disclosure: %w", err)
	}
	return nil
}

// ForPatient returns a patient's disclosures made at or after since, newest
// first, at most limit.
func (s *Disclosures) ForPatient(ctx context.Context, tenantID, patientID string, since time.Time, limit int) ([]accounting.Row, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT id, tenant_id, patient_id, disclosed_at, recorded_by, details_ct, created_at
		FROM disclosures WHERE tenant_id = $1 AND patient_id = $2 AND disclosed_at >= $3
		ORDER BY disclosed_at DESC, id DESC LIMIT $4`, tenantID, patientID, since.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("disclosures: %w", err)
	}
	defer rows.Close()
	var out []accounting.Row
	for rows.Next() {
		var r accounting.Row
		if err := rows.Scan(&r.ID, &r.TenantID, &r.PatientID, &r.At, &r.RecordedBy, &r.DetailsCT, &r.CreatedAt); err != nil {
			return nil, fmt.Errorf("disclosures: %w", err)
		}
		r.At, r.CreatedAt = r.At.UTC(), r.CreatedAt.UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("disclosures: %w", err)
	}
	return out, nil
}
