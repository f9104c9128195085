package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/incidents"
	"github.com/salvehealth/salve/internal/tenant"
)

// Incidents holds the incident register and the breach notices of the PHI
// store. It implements incidents.Store.
type Incidents struct{ db *DB }

// NewIncidents returns the incident queries of a PHI store.
func NewIncidents(db *DB) *Incidents { return &Incidents{db: db} }

var _ incidents.Store = (*Incidents)(nil)

const incidentCols = `id, tenant_id, title, discovered_on, description, systems, data_classes, breach_type, status, selection,
	affected_count, state_counts, nature, recipient, acquired, mitigation, conclusion, assessed_at, letter, notified_at, closed_at,
	created_at, updated_at`

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func scanIncident(r rowScanner) (incidents.Incident, error) {
	var in incidents.Incident
	var systems, classes, states, conclusion, letter, status string
	var assessed, notified, closed sql.NullTime
	if err := r.Scan(&in.ID, &in.TenantID, &in.Title, &in.DiscoveredOn, &in.Description, &systems, &classes, &in.BreachType, &status,
		&in.Selection, &in.AffectedCount, &states, &in.Assessment.Nature, &in.Assessment.Recipient, &in.Assessment.Acquired,
		&in.Assessment.Mitigation, &conclusion, &assessed, &letter, &notified, &closed, &in.CreatedAt, &in.UpdatedAt); err != nil {
		return in, err
	}
	in.Systems, in.DataClasses, in.Status = splitList(systems), splitList(classes), incidents.Status(status)
	in.Assessment.Conclusion, in.Assessment.AssessedAt = incidents.Conclusion(conclusion), timeOf(assessed)
	in.NotifiedAt, in.ClosedAt = timeOf(notified), timeOf(closed)
	in.CreatedAt, in.UpdatedAt = in.CreatedAt.UTC(), in.UpdatedAt.UTC()
	in.ByState = map[string]int{}
	if states != "" {
		if err := json.Unmarshal([]byte(states), &in.ByState); err != nil {
			return in, err
		}
	}
	if letter != "" {
		if err := json.Unmarshal([]byte(letter), &in.Letter); err != nil {
			return in, err
		}
	}
	return in, nil
}

// List returns a tenant's incidents, newest discovery first.
func (q *Incidents) List(ctx context.Context, tenantID string) ([]incidents.Incident, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := q.db.r.QueryContext(ctx, `SELECT `+incidentCols+` FROM incidents WHERE tenant_id = $1
		ORDER BY discovered_on DESC, id DESC`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	defer rows.Close()
	var out []incidents.Incident
	for rows.Next() {
		in, err := scanIncident(rows)
		if err != nil {
			return nil, fmt.Errorf("incidents: %w", err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// ByID returns one of a tenant's incidents.
func (q *Incidents) ByID(ctx context.Context, tenantID, id string) (incidents.Incident, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	in, err := scanIncident(q.db.r.QueryRowContext(ctx, `SELECT `+incidentCols+` FROM incidents WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return in, apperr.NotFoundError()
	}
	if err != nil {
		return in, fmt.Errorf("incident: %w", err)
	}
	return in, nil
}

func letterJSON(l incidents.Letter) string {
	if l == (incidents.Letter{}) {
		return ""
	}
	b, _ := json.Marshal(l) // strings always marshal
	return string(b)
}

func statesJSON(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m) // a map of ints always marshals
	return string(b)
}

// Insert adds an incident.
func (q *Incidents) Insert(ctx context.Context, in incidents.Incident) error {
	ctx = tenant.WithScope(ctx, in.TenantID)
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO incidents (id, tenant_id, title, discovered_on, description, systems, data_classes,
		breach_type, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		in.ID, in.TenantID, in.Title, in.DiscoveredOn, in.Description, strings.Join(in.Systems, "\n"), strings.Join(in.DataClasses, "\n"),
		in.BreachType, string(in.Status), in.CreatedAt.UTC(), in.UpdatedAt.UTC())
	if err != nil {
		return fmt.Errorf("add incident: %w", err)
	}
	return nil
}

// Update saves an incident's assessment, letter, notification and status.
func (q *Incidents) Update(ctx context.Context, in incidents.Incident) error {
	ctx = tenant.WithScope(ctx, in.TenantID)
	a := in.Assessment
	res, err := q.db.w.ExecContext(ctx, `UPDATE incidents SET nature = $3, recipient = $4, acquired = $5, mitigation = $6, conclusion = $7,
		assessed_at = $8, letter = $9, notified_at = $10, closed_at = $11, status = $12, updated_at = $13 WHERE tenant_id = $1 AND id = $2`,
		in.TenantID, in.ID, a.Nature, a.Recipient, a.Acquired, a.Mitigation, string(a.Conclusion), nullTime(a.AssessedAt), letterJSON(in.Letter),
		nullTime(in.NotifiedAt), nullTime(in.ClosedAt), string(in.Status), in.UpdatedAt.UTC())
	if err != nil {
		return fmt.Errorf("update incident: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundError()
	}
	return nil
}

// SetAffected keeps an incident's sealed list of people affected and its
// counts.
func (q *Incidents) SetAffected(ctx context.Context, tenantID, id string, ct []byte, count int, byState map[string]int, selection string, at time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	_, err := q.db.w.ExecContext(ctx, `UPDATE incidents SET affected_ct = $3, affected_count = $4, state_counts = $5, selection = $6,
		updated_at = $7 WHERE tenant_id = $1 AND id = $2`, tenantID, id, ct, count, statesJSON(byState), selection, at.UTC())
	if err != nil {
		return fmt.Errorf("incident affected: %w", err)
	}
	return nil
}

// Affected returns an incident's sealed list.
func (q *Incidents) Affected(ctx context.Context, tenantID, id string) ([]byte, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var ct []byte
	err := q.db.r.QueryRowContext(ctx, `SELECT affected_ct FROM incidents WHERE tenant_id = $1 AND id = $2 AND affected_ct IS NOT NULL`,
		tenantID, id).Scan(&ct)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundError()
	}
	if err != nil {
		return nil, fmt.Errorf("incident affected: %w", err)
	}
	return ct, nil
}

// AddNotice records a person's notice of an incident, once.
func (q *Incidents) AddNotice(ctx context.Context, n incidents.Notice, tenantID, patientID string) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	res, err := q.db.w.ExecContext(ctx, `INSERT INTO incident_notices (id, tenant_id, incident_id, patient_id, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (incident_id, patient_id) DO NOTHING`, n.ID, tenantID, n.IncidentID, patientID, n.At.UTC())
	if err != nil {
		return false, fmt.Errorf("incident notice: %w", err)
	}
	k, err := res.RowsAffected()
	return k == 1, err
}

// Notices lists a person's notices with their incidents' letters, newest
// first.
func (q *Incidents) Notices(ctx context.Context, tenantID, patientID string) ([]incidents.Notice, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := q.db.r.QueryContext(ctx, `SELECT n.id, n.incident_id, i.discovered_on, i.letter, n.created_at
		FROM incident_notices n JOIN incidents i ON i.id = n.incident_id AND i.tenant_id = n.tenant_id
		WHERE n.tenant_id = $1 AND n.patient_id = $2 ORDER BY n.created_at DESC, n.id DESC`, tenantID, patientID)
	if err != nil {
		return nil, fmt.Errorf("incident notices: %w", err)
	}
	defer rows.Close()
	var out []incidents.Notice
	for rows.Next() {
		var n incidents.Notice
		var letter string
		if err := rows.Scan(&n.ID, &n.IncidentID, &n.DiscoveredOn, &letter, &n.At); err != nil {
			return nil, fmt.Errorf("incident notices: %w", err)
		}
		if letter != "" {
			if err := json.Unmarshal([]byte(letter), &n.Letter); err != nil {
				return nil, err
			}
		}
		n.At = n.At.UTC()
		out = append(out, n)
	}
	return out, rows.Err()
}

// CountOpen counts a tenant's open incidents.
func (q *Incidents) CountOpen(ctx context.Context, tenantID string) (int, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var n int
	if err := q.db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM incidents WHERE tenant_id = $1 AND status = 'open'`, tenantID).Scan(&n); err != nil {
		return 0, fmt.Errorf("open incidents: %w", err)
	}
	return n, nil
}
