package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/tenant"
)

// Links holds the relationships between people of the PHI store: care
// relationships, proxy grants and break-glass grants.
type Links struct{ db *DB }

// NewLinks returns the relationship queries of a PHI store.
func NewLinks(db *DB) *Links { return &Links{db: db} }

var _ grants.Store = (*Links)(nil)

// AddCare records (or renews) a clinician's care relationship with a patient.
func (q *Links) AddCare(ctx context.Context, tenantID, clinicianID, patientID string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO care_relationships (tenant_id, clinician_id, patient_id, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (clinician_id, patient_id) DO UPDATE SET ended_at = NULL, created_at = excluded.created_at`,
		tenantID, clinicianID, patientID, now)
	if err != nil {
		return fmt.Errorf("add care relationship: %w", err)
	}
	return nil
}

// EndCare ends a care relationship.
func (q *Links) EndCare(ctx context.Context, tenantID, clinicianID, patientID string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	_, err := q.db.w.ExecContext(ctx, `UPDATE care_relationships SET ended_at = $4 WHERE tenant_id = $1 AND clinician_id = $2
		AND patient_id = $3 AND ended_at IS NULL`, tenantID, clinicianID, patientID, now)
	if err != nil {
		return fmt.Errorf("end care relationship: %w", err)
	}
	return nil
}

// HasCare reports whether a clinician has a current care relationship with a
// patient in a tenant.
func (q *Links) HasCare(ctx context.Context, tenantID, clinicianID, patientID string) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var n int
	err := q.db.r.QueryRowContext(ctx, `SELECT count(*) FROM care_relationships WHERE tenant_id = $1 AND clinician_id = $2
		AND patient_id = $3 AND ended_at IS NULL`, tenantID, clinicianID, patientID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("care relationship: %w", err)
	}
	return n > 0, nil
}

// InsertProxy stores a grant.
func (q *Links) InsertProxy(ctx context.Context, g grants.ProxyGrant) error {
	ctx = tenant.WithScope(ctx, g.TenantID)
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO proxy_grants (id, tenant_id, patient_id, proxy_id, scopes, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, g.ID, g.TenantID, g.PatientID, g.ProxyID, joinScopes(g.Scopes), g.CreatedAt)
	if err != nil {
		return fmt.Errorf("grant proxy: %w", err)
	}
	return nil
}

// RevokeProxy ends a patient's invitation and the grant it became, or a
// grant made before invitations, by id, in one transaction; NotFound when the
// patient has no such live invitation or grant.
func (q *Links) RevokeProxy(ctx context.Context, tenantID, patientID, id string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return q.db.Tx(ctx, func(tx *sql.Tx) error {
		// RETURNING reads the grant of the row as updated: an acceptance
		// committed meanwhile is revoked with it.
		var grantID sql.NullString
		err := tx.QueryRowContext(ctx, `UPDATE proxy_invites SET revoked_at = $4 WHERE tenant_id = $1 AND patient_id = $2 AND id = $3
			AND revoked_at IS NULL RETURNING grant_id`, tenantID, patientID, id, now).Scan(&grantID)
		invited := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("revoke proxy invitation: %w", err)
		}
		if invited {
			if !grantID.Valid {
				return nil
			}
			id = grantID.String
		}
		res, err := tx.ExecContext(ctx, `UPDATE proxy_grants SET revoked_at = $4 WHERE tenant_id = $1 AND patient_id = $2 AND id = $3
			AND revoked_at IS NULL`, tenantID, patientID, id, now)
		if err != nil {
			return fmt.Errorf("revoke proxy: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 && !invited {
			return apperr.NotFoundError()
		}
		return nil
	})
}

// InsertProxyInvite stores an invitation.
func (q *Links) InsertProxyInvite(ctx context.Context, inv grants.ProxyInvite) error {
	ctx = tenant.WithScope(ctx, inv.TenantID)
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO proxy_invites (id, tenant_id, patient_id, email_bidx, email_ct, scopes, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, inv.ID, inv.TenantID, inv.PatientID, inv.EmailBidx, inv.EmailCT, joinScopes(inv.Scopes), inv.CreatedAt)
	if err != nil {
		return fmt.Errorf("invite proxy: %w", err)
	}
	return nil
}

// AcceptProxyInvite stores g as the grant an open invitation became, in one
// transaction; NotFound (and no grant) when the invitation was revoked or
// accepted meanwhile.
func (q *Links) AcceptProxyInvite(ctx context.Context, tenantID, inviteID string, g grants.ProxyGrant) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return q.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO proxy_grants (id, tenant_id, patient_id, proxy_id, scopes, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, g.ID, g.TenantID, g.PatientID, g.ProxyID, joinScopes(g.Scopes), g.CreatedAt); err != nil {
			return fmt.Errorf("accept proxy invitation: %w", err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE proxy_invites SET grant_id = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL
			AND grant_id IS NULL`, tenantID, inviteID, g.ID)
		if err != nil {
			return fmt.Errorf("accept proxy invitation: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundError()
		}
		return nil
	})
}

// OpenProxyInvites lists a tenant's invitations of an address (by its blind
// index) that are neither revoked nor accepted.
func (q *Links) OpenProxyInvites(ctx context.Context, tenantID string, emailBidx []byte) ([]grants.ProxyInvite, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return q.invites(ctx, `WHERE tenant_id = $1 AND email_bidx = $2 AND revoked_at IS NULL AND grant_id IS NULL`, tenantID, emailBidx)
}

// ProxyInvites lists a patient's invitations that are not revoked.
func (q *Links) ProxyInvites(ctx context.Context, tenantID, patientID string) ([]grants.ProxyInvite, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return q.invites(ctx, `WHERE tenant_id = $1 AND patient_id = $2 AND revoked_at IS NULL`, tenantID, patientID)
}

// invites reads the invitations of where, one of the constant clauses above.
func (q *Links) invites(ctx context.Context, where string, args ...any) ([]grants.ProxyInvite, error) {
	//nolint:gosec // where is a constant of this file, the values are parameters
	rows, err := q.db.r.QueryContext(ctx, `SELECT id, tenant_id, patient_id, email_bidx, email_ct, scopes, created_at, grant_id
		FROM proxy_invites `+where+` ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list proxy invitations: %w", err)
	}
	defer rows.Close()
	var out []grants.ProxyInvite
	for rows.Next() {
		var (
			inv     grants.ProxyInvite
			scopes  string
			grantID sql.NullString
		)
		if err := rows.Scan(&inv.ID, &inv.TenantID, &inv.PatientID, &inv.EmailBidx, &inv.EmailCT, &scopes, &inv.CreatedAt, &grantID); err != nil {
			return nil, fmt.Errorf("scan proxy invitation: %w", err)
		}
		inv.Scopes, inv.CreatedAt, inv.GrantID = splitScopes(scopes), inv.CreatedAt.UTC(), grantID.String
		out = append(out, inv)
	}
	return out, rows.Err()
}

// Proxies lists live grants where userID is the patient (who may act for
// them), or, with asProxy, where it is the proxy (for whom they may act).
func (q *Links) Proxies(ctx context.Context, tenantID, userID string, asProxy bool) ([]grants.ProxyGrant, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	col := "patient_id"
	if asProxy {
		col = "proxy_id"
	}
	rows, err := q.db.r.QueryContext(ctx, `SELECT id, tenant_id, patient_id, proxy_id, scopes, created_at FROM proxy_grants
		WHERE tenant_id = $1 AND `+col+` = $2 AND revoked_at IS NULL ORDER BY created_at, id`, tenantID, userID)
	if err != nil {
		return nil, fmt.Errorf("list proxies: %w", err)
	}
	defer rows.Close()
	var out []grants.ProxyGrant
	for rows.Next() {
		var (
			g      grants.ProxyGrant
			scopes string
		)
		if err := rows.Scan(&g.ID, &g.TenantID, &g.PatientID, &g.ProxyID, &scopes, &g.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan proxy: %w", err)
		}
		g.Scopes, g.CreatedAt = splitScopes(scopes), g.CreatedAt.UTC()
		out = append(out, g)
	}
	return out, rows.Err()
}

// InsertBreakGlass stores a grant.
func (q *Links) InsertBreakGlass(ctx context.Context, b grants.BreakGlass) error {
	ctx = tenant.WithScope(ctx, b.TenantID)
	_, err := q.db.w.ExecContext(ctx, `INSERT INTO break_glass (id, tenant_id, actor_id, patient_id, reason_ct, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, b.ID, b.TenantID, b.ActorID, b.PatientID, b.ReasonCT, b.CreatedAt, b.ExpiresAt)
	if err != nil {
		return fmt.Errorf("break glass: %w", err)
	}
	return nil
}

// BreakGlassUntil returns when the actor's latest grant for the patient
// expires; the zero time when there is none.
func (q *Links) BreakGlassUntil(ctx context.Context, tenantID, actorID, patientID string) (time.Time, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var until sql.NullTime
	// Not max(): SQLite's aggregate loses the column's time type.
	err := q.db.r.QueryRowContext(ctx, `SELECT expires_at FROM break_glass WHERE tenant_id = $1 AND actor_id = $2 AND patient_id = $3
		ORDER BY expires_at DESC LIMIT 1`, tenantID, actorID, patientID).Scan(&until)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("break glass: %w", err)
	}
	return timeOf(until), nil
}

// BreakGlassGrant returns the patient and the end of one of an actor's
// grants; NotFound when the tenant has no such grant of that actor.
func (q *Links) BreakGlassGrant(ctx context.Context, tenantID, actorID, grantID string) (string, time.Time, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var (
		patientID string
		until     time.Time
	)
	err := q.db.r.QueryRowContext(ctx, `SELECT patient_id, expires_at FROM break_glass WHERE tenant_id = $1 AND actor_id = $2 AND id = $3`,
		tenantID, actorID, grantID).Scan(&patientID, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, apperr.NotFoundError()
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("break glass: %w", err)
	}
	return patientID, until.UTC(), nil
}

// BreakGlassLatest returns an actor's latest grant for a patient; NotFound
// when there is none.
func (q *Links) BreakGlassLatest(ctx context.Context, tenantID, actorID, patientID string) (grants.BreakGlass, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var b grants.BreakGlass
	err := q.db.r.QueryRowContext(ctx, `SELECT id, tenant_id, actor_id, patient_id, reason_ct, created_at, expires_at FROM break_glass
		WHERE tenant_id = $1 AND actor_id = $2 AND patient_id = $3 ORDER BY expires_at DESC LIMIT 1`, tenantID, actorID, patientID).
		Scan(&b.ID, &b.TenantID, &b.ActorID, &b.PatientID, &b.ReasonCT, &b.CreatedAt, &b.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return b, apperr.NotFoundError()
	}
	if err != nil {
		return b, fmt.Errorf("break glass: %w", err)
	}
	b.CreatedAt, b.ExpiresAt = b.CreatedAt.UTC(), b.ExpiresAt.UTC()
	return b, nil
}

// BreakGlassList lists a tenant's grants, unreviewed first, newest first.
func (q *Links) BreakGlassList(ctx context.Context, tenantID string, limit int) ([]grants.BreakGlass, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := q.db.r.QueryContext(ctx, `SELECT id, tenant_id, actor_id, patient_id, reason_ct, created_at, expires_at, reviewed_at,
		reviewed_by, review_note FROM break_glass WHERE tenant_id = $1
		ORDER BY CASE WHEN reviewed_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id LIMIT $2`, tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("list break glass: %w", err)
	}
	defer rows.Close()
	var out []grants.BreakGlass
	for rows.Next() {
		var (
			b        grants.BreakGlass
			reviewed sql.NullTime
		)
		if err := rows.Scan(&b.ID, &b.TenantID, &b.ActorID, &b.PatientID, &b.ReasonCT, &b.CreatedAt, &b.ExpiresAt, &reviewed,
			&b.ReviewedBy, &b.ReviewNote); err != nil {
			return nil, fmt.Errorf("scan break glass: %w", err)
		}
		b.CreatedAt, b.ExpiresAt, b.ReviewedAt = b.CreatedAt.UTC(), b.ExpiresAt.UTC(), timeOf(reviewed)
		out = append(out, b)
	}
	return out, rows.Err()
}

// ReviewBreakGlass records a compliance review of a grant.
func (q *Links) ReviewBreakGlass(ctx context.Context, tenantID, grantID, reviewer, note string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	res, err := q.db.w.ExecContext(ctx, `UPDATE break_glass SET reviewed_at = $4, reviewed_by = $3, review_note = $5
		WHERE tenant_id = $1 AND id = $2 AND reviewed_at IS NULL`, tenantID, grantID, reviewer, now, note)
	if err != nil {
		return fmt.Errorf("review break glass: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundError()
	}
	return nil
}

// joinScopes and splitScopes store a grant's classes as one comma-separated
// column.
func joinScopes(cs []access.DataClass) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return strings.Join(out, ",")
}

func splitScopes(s string) []access.DataClass {
	parts := strings.Split(s, ",")
	out := make([]access.DataClass, len(parts))
	for i, p := range parts {
		out[i] = access.DataClass(p)
	}
	return out
}
