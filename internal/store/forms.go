package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/forms"
	"github.com/salvehealth/salve/internal/tenant"
)

// FormDefinitions keeps form versions in the catalog store: a definition is
// catalog data (questions, never answers). It implements forms.Definitions.
type FormDefinitions struct{ db *DB }

// NewFormDefinitions returns the form storage of a catalog store.
func NewFormDefinitions(db *DB) *FormDefinitions { return &FormDefinitions{db: db} }

var _ forms.Definitions = (*FormDefinitions)(nil)

// Insert stores a new version; a version that exists is a Conflict.
func (s *FormDefinitions) Insert(ctx context.Context, f forms.Form, raw []byte) error {
	ctx = tenant.WithScope(ctx, f.TenantID)
	_, err := s.db.w.ExecContext(ctx, `INSERT INTO forms (tenant_id, id, version, title, attach, target, definition, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, f.TenantID, f.ID, f.Version, f.Title, string(f.Attach), f.Target, string(raw), f.CreatedAt.UTC())
	if isUniqueViolation(err) {
		return apperr.New(apperr.Conflict, "Someone else saved this form a moment ago. Open it again to see their version.")
	}
	if err != nil {
		return fmt.Errorf("insert form: %w", err)
	}
	return nil
}

const formColumns = `tenant_id, id, version, definition, created_at`

func scanForm(sc interface{ Scan(...any) error }) (forms.Form, error) {
	var f forms.Form
	var raw string
	if err := sc.Scan(&f.TenantID, &f.ID, &f.Version, &raw, &f.CreatedAt); err != nil {
		return f, err
	}
	f.CreatedAt = f.CreatedAt.UTC()
	d, err := forms.ParseDefinition([]byte(raw))
	if err != nil {
		return f, fmt.Errorf("form %s v%d: %w", f.ID, f.Version, err)
	}
	f.Definition = d
	return f, nil
}

// Latest returns the newest version of each of the tenant's forms, by title.
func (s *FormDefinitions) Latest(ctx context.Context, tenantID string) ([]forms.Form, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+formColumns+` FROM forms f WHERE tenant_id = $1
		AND version = (SELECT MAX(version) FROM forms g WHERE g.tenant_id = f.tenant_id AND g.id = f.id) ORDER BY title, id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("forms: %w", err)
	}
	defer rows.Close()
	var out []forms.Form
	for rows.Next() {
		f, err := scanForm(rows)
		if err != nil {
			return nil, fmt.Errorf("forms: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Version returns one version of a form; NotFound when there is none.
func (s *FormDefinitions) Version(ctx context.Context, tenantID, formID string, version int) (*forms.Form, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	f, err := scanForm(s.db.r.QueryRowContext(ctx, `SELECT `+formColumns+` FROM forms WHERE tenant_id = $1 AND id = $2 AND version = $3`,
		tenantID, formID, version))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundError()
	}
	if err != nil {
		return nil, fmt.Errorf("form: %w", err)
	}
	return &f, nil
}

// FormResponses keeps answers to forms in the PHI store, sealed. It
// implements forms.Responses.
type FormResponses struct{ db *DB }

// NewFormResponses returns the response storage of a PHI store.
func NewFormResponses(db *DB) *FormResponses { return &FormResponses{db: db} }

var _ forms.Responses = (*FormResponses)(nil)

// Insert stores a response.
func (s *FormResponses) Insert(ctx context.Context, r forms.Record) error {
	ctx = tenant.WithScope(ctx, r.TenantID)
	if _, err := s.db.w.ExecContext(ctx, `INSERT INTO form_responses (id, tenant_id, patient_id, form_id, form_version, submitted_at, answers_ct)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.ID, r.TenantID, r.PatientID, r.FormID, r.FormVersion, r.SubmittedAt.UTC(), r.AnswersCT); err != nil {
		return fmt.Errorf("insert form response: %w", err)
	}
	return nil
}

const responseColumns = `id, tenant_id, patient_id, form_id, form_version, submitted_at, answers_ct`

func scanResponse(sc interface{ Scan(...any) error }) (forms.Record, error) {
	var r forms.Record
	err := sc.Scan(&r.ID, &r.TenantID, &r.PatientID, &r.FormID, &r.FormVersion, &r.SubmittedAt, &r.AnswersCT)
	r.SubmittedAt = r.SubmittedAt.UTC()
	return r, err
}

// ByPatient returns a patient's responses, newest first.
func (s *FormResponses) ByPatient(ctx context.Context, tenantID, patientID string) ([]forms.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+responseColumns+` FROM form_responses WHERE tenant_id = $1 AND patient_id = $2
		ORDER BY submitted_at DESC, id DESC`, tenantID, patientID)
	if err != nil {
		return nil, fmt.Errorf("form responses: %w", err)
	}
	defer rows.Close()
	var out []forms.Record
	for rows.Next() {
		r, err := scanResponse(rows)
		if err != nil {
			return nil, fmt.Errorf("form responses: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ByForm returns the newest responses to a form (every version), at most
// limit (a landing-page form's responses, each its own subject).
func (s *FormResponses) ByForm(ctx context.Context, tenantID, formID string, limit int) ([]forms.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+responseColumns+` FROM form_responses WHERE tenant_id = $1 AND form_id = $2
		ORDER BY submitted_at DESC, id DESC LIMIT $3`, tenantID, formID, limit)
	if err != nil {
		return nil, fmt.Errorf("form responses: %w", err)
	}
	defer rows.Close()
	var out []forms.Record
	for rows.Next() {
		r, err := scanResponse(rows)
		if err != nil {
			return nil, fmt.Errorf("form responses: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Get returns one of a patient's responses; NotFound when it is not theirs.
func (s *FormResponses) Get(ctx context.Context, tenantID, patientID, responseID string) (*forms.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	r, err := scanResponse(s.db.r.QueryRowContext(ctx, `SELECT `+responseColumns+` FROM form_responses WHERE id = $1 AND tenant_id = $2 AND patient_id = $3`,
		responseID, tenantID, patientID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundError()
	}
	if err != nil {
		return nil, fmt.Errorf("form response: %w", err)
	}
	return &r, nil
}

// Completed returns the ids of the forms the patient has answered.
func (s *FormResponses) Completed(ctx context.Context, tenantID, patientID string) ([]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT DISTINCT form_id FROM form_responses WHERE tenant_id = $1 AND patient_id = $2`, tenantID, patientID)
	if err != nil {
		return nil, fmt.Errorf("form responses: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("form responses: %w", err)
		}
		out = append(out, strings.TrimSpace(id))
	}
	return out, rows.Err()
}
