package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/messaging"
	"github.com/salvehealth/salve/internal/tenant"
)

// Messages keeps message teams, threads, messages and attachments in the
// PHI store. It implements messaging.Store.
type Messages struct{ db *DB }

// NewMessages returns the messaging storage of a PHI store.
func NewMessages(db *DB) *Messages { return &Messages{db: db} }

var _ messaging.Store = (*Messages)(nil)

// CreateTeam stores a team; a repeated name is apperr.DuplicateError.
func (s *Messages) CreateTeam(ctx context.Context, t messaging.Team) error {
	ctx = tenant.WithScope(ctx, t.TenantID)
	_, err := s.db.w.ExecContext(ctx, `INSERT INTO message_teams (id, tenant_id, name, kind, created_at) VALUES ($1, $2, $3, $4, $5)`,
		t.ID, t.TenantID, t.Name, string(t.Kind), t.CreatedAt)
	if isUniqueViolation(err) {
		return apperr.DuplicateError("a team of that name")
	}
	if err != nil {
		return fmt.Errorf("insert message team: %w", err)
	}
	return nil
}

// Teams returns a tenant's teams with their members, by name: two
// statements, whatever the number of teams.
func (s *Messages) Teams(ctx context.Context, tenantID string) ([]messaging.Team, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT id, tenant_id, name, kind, created_at FROM message_teams WHERE tenant_id = $1
		ORDER BY name, id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("message teams: %w", err)
	}
	defer rows.Close()
	var out []messaging.Team
	at := map[string]int{}
	for rows.Next() {
		var t messaging.Team
		var kind string
		if err := rows.Scan(&t.ID, &t.TenantID, &t.Name, &kind, &t.CreatedAt); err != nil {
			return nil, fmt.Errorf("message teams: %w", err)
		}
		t.Kind, t.CreatedAt = messaging.TeamKind(kind), t.CreatedAt.UTC()
		at[t.ID] = len(out)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("message teams: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	mrows, err := s.db.r.QueryContext(ctx, `SELECT team_id, user_id FROM message_team_members WHERE tenant_id = $1
		ORDER BY created_at, user_id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("message team members: %w", err)
	}
	defer mrows.Close()
	for mrows.Next() {
		var team, user string
		if err := mrows.Scan(&team, &user); err != nil {
			return nil, fmt.Errorf("message team members: %w", err)
		}
		if i, ok := at[team]; ok {
			out[i].Members = append(out[i].Members, user)
		}
	}
	return out, mrows.Err()
}

// AddMember adds a staff account to a team (again is a no-op).
func (s *Messages) AddMember(ctx context.Context, tenantID, teamID, userID string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	_, err := s.db.w.ExecContext(ctx, `INSERT INTO message_team_members (team_id, tenant_id, user_id, created_at)
		SELECT id, tenant_id, $3, $4 FROM message_teams WHERE id = $1 AND tenant_id = $2
		ON CONFLICT (team_id, user_id) DO NOTHING`, teamID, tenantID, userID, now)
	if err != nil {
		return fmt.Errorf("add team member: %w", err)
	}
	return nil
}

// RemoveMember takes a staff account off a team.
func (s *Messages) RemoveMember(ctx context.Context, tenantID, teamID, userID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	_, err := s.db.w.ExecContext(ctx, `DELETE FROM message_team_members WHERE team_id = $1 AND tenant_id = $2 AND user_id = $3`,
		teamID, tenantID, userID)
	if err != nil {
		return fmt.Errorf("remove team member: %w", err)
	}
	return nil
}

func insertPost(ctx context.Context, tx *sql.Tx, p messaging.PostRecord, a *messaging.AttachmentRecord) error {
	ctx = tenant.WithScope(ctx, p.TenantID)
	if _, err := tx.ExecContext(ctx, `INSERT INTO message_posts (id, tenant_id, thread_id, patient_id, author_id, side, body_ct, created_at, seq)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, (SELECT COUNT(*) FROM message_posts WHERE tenant_id = $2 AND thread_id = $3))`, p.ID, p.TenantID, p.ThreadID, p.PatientID, p.AuthorID, string(p.Side), p.BodyCT, p.CreatedAt); err != nil {
		return fmt.Errorf("insert message: %w", err)
	}
	if a == nil {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO message_attachments (id, tenant_id, thread_id, post_id, patient_id, content_type, size, data_ct, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, a.ID, a.TenantID, a.ThreadID, a.PostID, a.PatientID, a.ContentType, a.Size, a.DataCT,
		a.CreatedAt); err != nil {
		return fmt.Errorf("insert message attachment: %w", err)
	}
	return nil
}

// InsertThread stores a new thread with its first message and file.
func (s *Messages) InsertThread(ctx context.Context, t messaging.ThreadRecord, p messaging.PostRecord, a *messaging.AttachmentRecord) error {
	ctx = tenant.WithScope(ctx, t.TenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO message_threads (id, tenant_id, patient_id, team_id, subject_ct, about_kind, about_id,
			status, assigned_to, started_by, patient_unread, staff_unread, last_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			t.ID, t.TenantID, t.PatientID, t.TeamID, t.SubjectCT, string(t.AboutKind), t.AboutID, string(t.Status), t.AssignedTo,
			t.StartedBy, t.PatientUnread, t.StaffUnread, t.LastAt, t.CreatedAt, t.UpdatedAt); err != nil {
			return fmt.Errorf("insert message thread: %w", err)
		}
		return insertPost(ctx, tx, p, a)
	})
}

// InsertPost adds a message to a thread. Why the counters move in the same
// statement as the thread's last activity: two messages at once each add
// one, and the unread counts never miss one.
func (s *Messages) InsertPost(ctx context.Context, p messaging.PostRecord, a *messaging.AttachmentRecord) error {
	ctx = tenant.WithScope(ctx, p.TenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		q := `UPDATE message_threads SET staff_unread = staff_unread + 1, status = 'open', last_at = $1, updated_at = $1
			WHERE id = $2 AND tenant_id = $3`
		if p.Side == messaging.SideStaff {
			q = `UPDATE message_threads SET patient_unread = patient_unread + 1, last_at = $1, updated_at = $1
				WHERE id = $2 AND tenant_id = $3`
		}
		res, err := tx.ExecContext(ctx, q, p.CreatedAt, p.ThreadID, p.TenantID)
		if err != nil {
			return fmt.Errorf("message thread: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return apperr.NotFoundError()
		}
		return insertPost(ctx, tx, p, a)
	})
}

// threadColumns are read with the timestamps as text on SQLite (COALESCE(col, NULL): texttime.go),
// which scanThread parses.
const threadColumns = `id, tenant_id, patient_id, team_id, subject_ct, about_kind, about_id, status, assigned_to, started_by,
	patient_unread, staff_unread, COALESCE(last_at, NULL), COALESCE(created_at, NULL), COALESCE(updated_at, NULL)`

// threadOwnedColumns are threadColumns without the tenant and patient, for
// ThreadsOf, whose WHERE names both: it sets them from its arguments (see
// orderOwnedColumns why).
const threadOwnedColumns = `id, team_id, subject_ct, about_kind, about_id, status, assigned_to, started_by,
	patient_unread, staff_unread, COALESCE(last_at, NULL), COALESCE(created_at, NULL), COALESCE(updated_at, NULL)`

// scanOwnedThread scans threadOwnedColumns of a thread of tenantID's
// patientID.
func scanOwnedThread(row interface{ Scan(...any) error }, tenantID, patientID string) (messaging.ThreadRecord, error) {
	t := messaging.ThreadRecord{TenantID: tenantID, PatientID: patientID}
	var about, status string
	err := row.Scan(&t.ID, &t.TeamID, &t.SubjectCT, &about, &t.AboutID, &status, &t.AssignedTo, &t.StartedBy,
		&t.PatientUnread, &t.StaffUnread, timeScan{&t.LastAt}, timeScan{&t.CreatedAt}, timeScan{&t.UpdatedAt})
	t.AboutKind, t.Status = messaging.About(about), messaging.Status(status)
	return t, err
}

func scanThread(row interface{ Scan(...any) error }) (messaging.ThreadRecord, error) {
	var t messaging.ThreadRecord
	var about, status string
	err := row.Scan(&t.ID, &t.TenantID, &t.PatientID, &t.TeamID, &t.SubjectCT, &about, &t.AboutID, &status, &t.AssignedTo, &t.StartedBy,
		&t.PatientUnread, &t.StaffUnread, timeScan{&t.LastAt}, timeScan{&t.CreatedAt}, timeScan{&t.UpdatedAt})
	t.AboutKind, t.Status = messaging.About(about), messaging.Status(status)
	return t, err
}

func (s *Messages) threads(ctx context.Context, q string, args ...any) ([]messaging.ThreadRecord, error) {
	return s.threadsWith(ctx, scanThread, q, args...)
}

// threadsWith is threads with the rows scanned by scan.
func (s *Messages) threadsWith(ctx context.Context, scan func(interface{ Scan(...any) error }) (messaging.ThreadRecord, error), q string,
	args ...any,
) ([]messaging.ThreadRecord, error) {
	rows, err := s.db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("message threads: %w", err)
	}
	defer rows.Close()
	var out []messaging.ThreadRecord
	for rows.Next() {
		t, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("message threads: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Thread returns a thread of a tenant, or NotFound.
func (s *Messages) Thread(ctx context.Context, tenantID, id string) (messaging.ThreadRecord, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	t, err := scanThread(s.db.r.QueryRowContext(ctx, `SELECT `+threadColumns+` FROM message_threads WHERE id = $1 AND tenant_id = $2`, id, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return t, apperr.NotFoundError()
	}
	if err != nil {
		return t, fmt.Errorf("message thread: %w", err)
	}
	return t, nil
}

// ThreadsOf returns a patient's threads, latest activity first.
func (s *Messages) ThreadsOf(ctx context.Context, tenantID, patientID string, limit int) ([]messaging.ThreadRecord, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	// LIMIT CAST(...): a bare LIMIT parameter makes SQLite re-plan its cached
	// statement on every run (stmtcache.go); this one runs on every
	// dashboard view.
	scan := func(row interface{ Scan(...any) error }) (messaging.ThreadRecord, error) {
		return scanOwnedThread(row, tenantID, patientID)
	}
	return s.threadsWith(ctx, scan, `SELECT `+threadOwnedColumns+` FROM message_threads WHERE tenant_id = $1 AND patient_id = $2
		ORDER BY last_at DESC, id DESC LIMIT CAST($3 AS INTEGER)`, tenantID, patientID, limit)
}

// Inbox returns the threads of teams, latest activity first. Why the care
// relationship is a subquery here: a clinician's inbox must not list (even
// by id) threads of patients they do not care for, and one statement
// decides it for every row.
func (s *Messages) Inbox(ctx context.Context, q messaging.InboxQuery) ([]messaging.ThreadRecord, error) {
	ctx = tenant.WithScope(ctx, q.TenantID)
	if len(q.TeamIDs) == 0 {
		return nil, nil
	}
	args := []any{q.TenantID, string(q.Status), q.AssignedTo, q.CareOf, q.Limit}
	marks := make([]string, len(q.TeamIDs))
	for i, t := range q.TeamIDs {
		args = append(args, t)
		marks[i] = "$" + strconv.Itoa(len(args))
	}
	return s.threads(ctx, `SELECT `+threadColumns+` FROM message_threads t WHERE t.tenant_id = $1
		AND t.team_id IN (`+strings.Join(marks, ", ")+`)
		AND ($2 = '' OR t.status = $2) AND ($3 = '' OR t.assigned_to = $3)
		AND ($4 = '' OR EXISTS (SELECT 1 FROM care_relationships c WHERE c.tenant_id = t.tenant_id AND c.clinician_id = $4
			AND c.patient_id = t.patient_id AND c.ended_at IS NULL))
		ORDER BY t.last_at DESC, t.id DESC LIMIT $5`, args...)
}

// Posts returns a thread's messages, oldest first, with their files' ids,
// types and sizes (never the bytes).
func (s *Messages) Posts(ctx context.Context, tenantID, threadID string) ([]messaging.PostRecord, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT p.id, p.tenant_id, p.thread_id, p.patient_id, p.author_id, p.side, p.body_ct, p.created_at,
		COALESCE(a.id, ''), COALESCE(a.content_type, ''), COALESCE(a.size, 0)
		FROM message_posts p LEFT JOIN message_attachments a ON a.post_id = p.id AND a.tenant_id = p.tenant_id
		WHERE p.tenant_id = $1 AND p.thread_id = $2 ORDER BY p.created_at, p.seq, p.id`, tenantID, threadID)
	if err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	defer rows.Close()
	var out []messaging.PostRecord
	for rows.Next() {
		var p messaging.PostRecord
		var side string
		var a messaging.AttachmentInfo
		if err := rows.Scan(&p.ID, &p.TenantID, &p.ThreadID, &p.PatientID, &p.AuthorID, &side, &p.BodyCT, &p.CreatedAt,
			&a.ID, &a.ContentType, &a.Size); err != nil {
			return nil, fmt.Errorf("messages: %w", err)
		}
		p.Side, p.CreatedAt = messaging.Side(side), p.CreatedAt.UTC()
		if a.ID != "" {
			p.Attachment = &a
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Attachment returns a file of a tenant, or NotFound.
func (s *Messages) Attachment(ctx context.Context, tenantID, id string) (messaging.AttachmentRecord, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var a messaging.AttachmentRecord
	err := s.db.r.QueryRowContext(ctx, `SELECT id, tenant_id, thread_id, post_id, patient_id, content_type, size, data_ct, created_at
		FROM message_attachments WHERE id = $1 AND tenant_id = $2`, id, tenantID).
		Scan(&a.ID, &a.TenantID, &a.ThreadID, &a.PostID, &a.PatientID, &a.ContentType, &a.Size, &a.DataCT, &a.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.NotFoundError()
	}
	if err != nil {
		return a, fmt.Errorf("message attachment: %w", err)
	}
	return a, nil
}

// MarkRead sets a side's unread count of a thread to zero.
func (s *Messages) MarkRead(ctx context.Context, tenantID, threadID string, side messaging.Side) error {
	ctx = tenant.WithScope(ctx, tenantID)
	q := `UPDATE message_threads SET patient_unread = 0 WHERE id = $1 AND tenant_id = $2`
	if side == messaging.SideStaff {
		q = `UPDATE message_threads SET staff_unread = 0 WHERE id = $1 AND tenant_id = $2`
	}
	if _, err := s.db.w.ExecContext(ctx, q, threadID, tenantID); err != nil {
		return fmt.Errorf("mark messages read: %w", err)
	}
	return nil
}

// Assign sets who handles a thread.
func (s *Messages) Assign(ctx context.Context, tenantID, threadID, userID string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := s.db.w.ExecContext(ctx, `UPDATE message_threads SET assigned_to = $1, updated_at = $2 WHERE id = $3 AND tenant_id = $4`,
		userID, now, threadID, tenantID); err != nil {
		return fmt.Errorf("assign message thread: %w", err)
	}
	return nil
}

// SetStatus opens or closes a thread.
func (s *Messages) SetStatus(ctx context.Context, tenantID, threadID string, st messaging.Status, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := s.db.w.ExecContext(ctx, `UPDATE message_threads SET status = $1, updated_at = $2 WHERE id = $3 AND tenant_id = $4`,
		string(st), now, threadID, tenantID); err != nil {
		return fmt.Errorf("message thread status: %w", err)
	}
	return nil
}

// SentSince counts the messages a person wrote since a time.
func (s *Messages) SentSince(ctx context.Context, tenantID, authorID string, since time.Time) (int, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var n int
	if err := s.db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM message_posts WHERE tenant_id = $1 AND author_id = $2 AND created_at > $3`,
		tenantID, authorID, since).Scan(&n); err != nil {
		return 0, fmt.Errorf("messages sent: %w", err)
	}
	return n, nil
}
