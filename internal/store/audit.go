package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/tenant"
)

// AuditEvents is the audit log's storage in the audit store: the hash-chained
// events (audit_events) and their subject index (audit_event_subjects). It
// implements audit.Store; the hashing and the chain's rules stay in audit.
// The store is append-only: nothing here updates or deletes a row.
type AuditEvents struct {
	auditReads
	db *DB
}

// NewAuditEvents returns the audit log's storage of an audit store.
func NewAuditEvents(db *DB) *AuditEvents {
	return &AuditEvents{auditReads: auditReads{q: db.r}, db: db}
}

// AuditChainIn returns the audit chain read inside tx, a transaction on an
// audit store's writer: a test tampers with the store in tx, verifies, and
// rolls back.
func AuditChainIn(tx *sql.Tx) audit.Chain { return auditReads{q: tx} }

var (
	_ audit.Store = (*AuditEvents)(nil)
	_ audit.Chain = auditReads{}
)

// auditColumns are the columns of audit_events, in the order of audit.Row and
// audit.Link.
var auditColumns = []string{"seq", "at_us", "actor_id", "tenant_id", "action", "outcome", "body", "hash"}

var auditSelect = "SELECT " + strings.Join(auditColumns, ", ") + " FROM audit_events"

// rowQuerier is a pool or a transaction.
type rowQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// auditReads are the audit store's reads, on the reader pool or inside a
// transaction.
type auditReads struct{ q rowQuerier }

// Head returns the last event's seq and hash; 0 and nil when there is none.
func (s *AuditEvents) Head(ctx context.Context) (int64, []byte, error) {
	return auditHead(ctx, s.q)
}

func auditHead(ctx context.Context, q rowQuerier) (int64, []byte, error) {
	var seq int64
	var h []byte
	err := q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`).Scan(&seq, &h)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("read audit head: %w", err)
	}
	return seq, h, nil
}

// Append stores the events that link returns for the head, in one write
// transaction; see audit.Store.
func (s *AuditEvents) Append(ctx context.Context, link func(seq int64, hash []byte) ([]audit.Link, error)) error {
	// On SQLite, Tx begins with BEGIN IMMEDIATE: the transaction holds the
	// write lock from its start, so the head read below is the head it
	// appends to.
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if s.db.engine == Postgres {
			// Why an advisory lock: two replicas must not both take the same
			// next seq and fork the chain; the primary key would reject one,
			// but only after it did its work.
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('salve-audit-append'))`); err != nil {
				return fmt.Errorf("lock the audit chain: %w", err)
			}
		}
		seq, prev, err := auditHead(ctx, tx)
		if err != nil {
			return err
		}
		links, err := link(seq, prev)
		if err != nil || len(links) == 0 {
			return err
		}
		args := make([]any, 0, len(links)*len(auditColumns))
		subjects := 0
		for i := range links {
			subjects += len(links[i].Subjects)
		}
		subjArgs := make([]any, 0, 2*subjects)
		for i := range links {
			l := &links[i]
			args = append(args, l.Seq, l.AtMicros, l.ActorID, l.TenantID, l.Action, l.Outcome, l.Body, l.Hash)
			for _, subject := range l.Subjects {
				subjArgs = append(subjArgs, subject, l.Seq)
			}
		}
		if _, err := tx.ExecContext(ctx, insertSQL(s.db.engine, "audit_events", auditColumns, len(links)), args...); err != nil {
			return fmt.Errorf("insert audit events: %w", err)
		}
		if len(subjArgs) > 0 {
			if _, err := tx.ExecContext(ctx, insertSQL(s.db.engine, "audit_event_subjects", []string{"subject", "seq"}, len(subjArgs)/2), subjArgs...); err != nil {
				return fmt.Errorf("insert audit subject index: %w", err)
			}
		}
		return nil
	})
}

// insertSQL returns a multi-row INSERT. Why "?" on SQLite: SQLite resolves
// each "$n" by name when binding, which for a batch of a thousand parameters
// costs more than the insert itself; PostgreSQL only takes "$n".
func insertSQL(engine Engine, table string, cols []string, rows int) string {
	var b strings.Builder
	b.Grow(rows * len(cols) * 6)
	b.WriteString("INSERT INTO ")
	b.WriteString(table)
	b.WriteString(" (")
	b.WriteString(strings.Join(cols, ", "))
	b.WriteString(") VALUES ")
	n := 1
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		if engine == SQLite {
			b.WriteString(strings.Repeat("?, ", len(cols)-1) + "?")
		} else {
			b.WriteString(Placeholders(n, len(cols)))
		}
		n += len(cols)
		b.WriteByte(')')
	}
	return b.String()
}

// Find calls fn for the events that match q, oldest first (newest first
// with q.Newest), at most q.Limit.
func (s *AuditEvents) Find(ctx context.Context, q audit.Query, fn func(*audit.Row) error) error {
	ctx = tenant.WithScope(ctx, q.TenantID)
	var where []string
	var args []any
	arg := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	from, seq := "audit_events e", "e.seq"
	if q.Subject != "" {
		// Why through the subject index table, and joined from it: subjects
		// are packed into each event's body, which no index can search; and
		// walking the index's (subject, seq) key in order reads only the
		// subject's events, however long the log, in either direction (a
		// patient's access log pages newest first).
		from, seq = "audit_event_subjects s JOIN audit_events e ON e.seq = s.seq", "s.seq"
		arg("s.subject = $%d", q.Subject)
	}
	if q.TenantID != "" {
		arg("e.tenant_id = $%d", q.TenantID)
	}
	if q.ActorID != "" {
		arg("e.actor_id = $%d", q.ActorID)
	}
	if !q.From.IsZero() {
		arg("e.at_us >= $%d", q.From.UnixMicro())
	}
	if !q.To.IsZero() {
		arg("e.at_us < $%d", q.To.UnixMicro())
	}
	if q.Outcome != "" {
		arg("e.outcome = $%d", string(q.Outcome))
	}
	if q.After > 0 {
		arg(seq+" > $%d", q.After)
	}
	if q.Before > 0 {
		arg(seq+" < $%d", q.Before)
	}
	cols := make([]string, len(auditColumns))
	for i, c := range auditColumns {
		cols[i] = "e." + c
	}
	query := "SELECT " + strings.Join(cols, ", ") + " FROM " + from
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	order := ""
	if q.Newest {
		order = " DESC"
	}
	query += fmt.Sprintf(" ORDER BY %s%s LIMIT %d", seq, order, q.Limit)
	return scanAuditRows(ctx, s.q, query, args, fn)
}

// Each calls fn for every event with from <= time < to (zero bounds are
// open), in seq order.
func (s *AuditEvents) Each(ctx context.Context, from, to time.Time, fn func(*audit.Row) error) error {
	lo, hi := int64(-1<<63), int64(1<<63-1)
	if !from.IsZero() {
		lo = from.UnixMicro()
	}
	if !to.IsZero() {
		hi = to.UnixMicro()
	}
	return scanAuditRows(ctx, s.q, auditSelect+" WHERE at_us >= $1 AND at_us < $2 ORDER BY seq", []any{lo, hi}, fn)
}

// HashAt returns the stored hash of event seq, or apperr NotFound.
func (r auditReads) HashAt(ctx context.Context, seq int64) ([]byte, error) {
	var h []byte
	err := r.q.QueryRowContext(ctx, `SELECT hash FROM audit_events WHERE seq = $1`, seq).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundError()
	}
	if err != nil {
		return nil, fmt.Errorf("read audit event %d: %w", seq, err)
	}
	return h, nil
}

// Bounds returns the least and greatest stored seq; ok is false when there
// is no event.
func (r auditReads) Bounds(ctx context.Context) (first, last int64, ok bool, err error) {
	var lo, hi sql.NullInt64
	if err := r.q.QueryRowContext(ctx, `SELECT min(seq), max(seq) FROM audit_events`).Scan(&lo, &hi); err != nil {
		return 0, 0, false, fmt.Errorf("read audit bounds: %w", err)
	}
	return lo.Int64, hi.Int64, hi.Valid, nil
}

// IndexAfter returns the least seq greater than seq in the subject index; ok
// is false when there is none.
func (r auditReads) IndexAfter(ctx context.Context, seq int64) (int64, bool, error) {
	var next sql.NullInt64
	if err := r.q.QueryRowContext(ctx, `SELECT min(seq) FROM audit_event_subjects WHERE seq > $1`, seq).Scan(&next); err != nil {
		return 0, false, fmt.Errorf("read audit subject index: %w", err)
	}
	return next.Int64, next.Valid, nil
}

// Walk calls fn for every event with a <= seq <= b, in seq order, with the
// columns as stored.
func (r auditReads) Walk(ctx context.Context, a, b int64, fn func(*audit.Row) error) error {
	return scanAuditRows(ctx, r.q, auditSelect+" WHERE seq >= $1 AND seq <= $2 ORDER BY seq", []any{a, b}, fn)
}

// WalkIndex calls fn for every subject index row with a <= seq <= b, by seq
// and then subject.
func (r auditReads) WalkIndex(ctx context.Context, a, b int64, fn func(seq int64, subject []byte) error) error {
	rows, err := r.q.QueryContext(ctx, `SELECT seq, subject FROM audit_event_subjects WHERE seq >= $1 AND seq <= $2 ORDER BY seq, subject`, a, b)
	if err != nil {
		return fmt.Errorf("read audit subject index: %w", err)
	}
	defer rows.Close()
	var seq int64
	var subject sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&seq, &subject); err != nil {
			return fmt.Errorf("read audit subject index: %w", err)
		}
		if err := fn(seq, subject); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read audit subject index: %w", err)
	}
	return nil
}

// scanAuditRows runs a query over auditColumns and calls fn for every row.
//
// Why raw bytes: verification hashes the stored bytes as they are, and
// scanning into the driver's buffers (valid until the next row, which is why
// audit.Row's slices are only lent to fn) keeps a walk over millions of rows
// allocation-light.
func scanAuditRows(ctx context.Context, q rowQuerier, query string, args []any, fn func(*audit.Row) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("read audit events: %w", err)
	}
	defer rows.Close()
	var row audit.Row
	dest := []any{&row.Seq, &row.AtMicros, (*sql.RawBytes)(&row.ActorID), (*sql.RawBytes)(&row.TenantID),
		(*sql.RawBytes)(&row.Action), (*sql.RawBytes)(&row.Outcome), (*sql.RawBytes)(&row.Body), (*sql.RawBytes)(&row.Hash)}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("read audit events: %w", err)
		}
		if err := fn(&row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read audit events: %w", err)
	}
	return nil
}
