package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Query selects events. Empty fields do not filter.
type Query struct {
	TenantID string
	// Subject selects events about this person ("who accessed my record").
	Subject string
	ActorID string
	// From and To bound the event time: From <= time < To.
	From, To time.Time
	Outcome  Outcome
	// Limit caps the result (DefaultLimit when zero, at most MaxLimit).
	Limit int
	// After returns only events with a greater seq, for paging.
	After int64
}

// DefaultLimit and MaxLimit bound one Find.
const (
	DefaultLimit = 100
	MaxLimit     = 10000
)

// Find returns the events that match q, oldest first.
func (l *Log) Find(ctx context.Context, q Query) ([]Record, error) {
	return find(ctx, l.db.Reader(), q)
}

func find(ctx context.Context, db queryer, q Query) ([]Record, error) {
	var where []string
	var args []any
	arg := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	from := "audit_events"
	if q.Subject != "" {
		// Why through the subject index table: subjects are stored as one JSON
		// text per event, which no index can search.
		from = "audit_events WHERE seq IN (SELECT seq FROM audit_event_subjects WHERE subject = $1)"
		args = append(args, q.Subject)
	}
	if q.TenantID != "" {
		arg("tenant_id = $%d", q.TenantID)
	}
	if q.ActorID != "" {
		arg("actor_id = $%d", q.ActorID)
	}
	if !q.From.IsZero() {
		arg("at_us >= $%d", q.From.UnixMicro())
	}
	if !q.To.IsZero() {
		arg("at_us < $%d", q.To.UnixMicro())
	}
	if q.Outcome != "" {
		arg("outcome = $%d", string(q.Outcome))
	}
	if q.After > 0 {
		arg("seq > $%d", q.After)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	s := "SELECT " + selectColumns + " FROM " + from
	if len(where) > 0 {
		if q.Subject != "" {
			s += " AND "
		} else {
			s += " WHERE "
		}
		s += strings.Join(where, " AND ")
	}
	s += fmt.Sprintf(" ORDER BY seq LIMIT %d", limit)
	rows, err := db.QueryContext(ctx, s, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: find: %w", err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: find: %w", err)
	}
	return out, nil
}

// Each calls fn for every event with from <= time < to (zero bounds are open),
// in seq order, streaming rather than loading them all. It is what export uses.
func (l *Log) Each(ctx context.Context, from, to time.Time, fn func(Record) error) error {
	return Each(ctx, l.db.Reader(), from, to, fn)
}

// Each is Log.Each on a store's reader pool without an open Log (for the
// offline export command).
func Each(ctx context.Context, db *sql.DB, from, to time.Time, fn func(Record) error) error {
	s := "SELECT " + selectColumns + " FROM audit_events WHERE at_us >= $1 AND at_us < $2 ORDER BY seq"
	lo, hi := int64(-1<<63), int64(1<<63-1)
	if !from.IsZero() {
		lo = from.UnixMicro()
	}
	if !to.IsZero() {
		hi = to.UnixMicro()
	}
	rows, err := db.QueryContext(ctx, s, lo, hi)
	if err != nil {
		return fmt.Errorf("audit: read: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// rowScanner is *sql.Rows or *sql.Row.
type rowScanner interface{ Scan(dest ...any) error }

func scanRecord(rows rowScanner) (Record, error) {
	var r Record
	var at int64
	var outcome string
	var body []byte
	if err := rows.Scan(&r.Seq, &at, &r.ActorID, &r.TenantID, &r.Action, &outcome, &body, &r.Hash); err != nil {
		return r, fmt.Errorf("audit: read event: %w", err)
	}
	r.Time = time.UnixMicro(at).UTC()
	r.Outcome = Outcome(outcome)
	if err := decodeBody(body, &r.Entry); err != nil {
		return r, fmt.Errorf("audit: event %d: %w", r.Seq, err)
	}
	return r, nil
}
