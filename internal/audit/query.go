package audit

import (
	"bytes"
	"context"
	"fmt"
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
	// Before returns only events with a smaller seq, for paging newest
	// first (the patient's access log).
	Before int64
	// Newest returns the events newest first (by seq) instead of oldest
	// first.
	Newest bool
}

// DefaultLimit and MaxLimit bound one Find.
const (
	DefaultLimit = 100
	MaxLimit     = 10000
)

// Find returns the events that match q, oldest first (newest first with
// q.Newest).
func (l *Log) Find(ctx context.Context, q Query) ([]Record, error) {
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	q.Limit = min(q.Limit, MaxLimit)
	var out []Record
	err := l.store.Find(ctx, q, func(r *Row) error {
		rec, err := recordOf(r)
		if err != nil {
			return err
		}
		out = append(out, rec)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit: find: %w", err)
	}
	return out, nil
}

// Each calls fn for every event with from <= time < to (zero bounds are open),
// in seq order, streaming rather than loading them all. It is what export uses.
func (l *Log) Each(ctx context.Context, from, to time.Time, fn func(Record) error) error {
	return Each(ctx, l.store, from, to, fn)
}

// Each is Log.Each on a store without an open Log (for the offline export
// command).
func Each(ctx context.Context, s Store, from, to time.Time, fn func(Record) error) error {
	return s.Each(ctx, from, to, func(r *Row) error {
		rec, err := recordOf(r)
		if err != nil {
			return err
		}
		return fn(rec)
	})
}

// recordOf decodes a stored row into a record that owns its bytes.
func recordOf(r *Row) (Record, error) {
	rec := Record{Seq: r.Seq, Hash: bytes.Clone(r.Hash)}
	if err := decodeBody(r.Body, &rec.Entry); err != nil {
		return rec, fmt.Errorf("audit: event %d: %w", r.Seq, err)
	}
	rec.Time = time.UnixMicro(r.AtMicros).UTC()
	rec.ActorID, rec.TenantID, rec.Action = string(r.ActorID), string(r.TenantID), string(r.Action)
	rec.Outcome = Outcome(r.Outcome)
	return rec, nil
}
