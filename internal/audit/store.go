package audit

import (
	"context"
	"time"
)

// Store is the audit log's storage in the audit store (internal/store.AuditEvents):
// the hash-chained events and their subject index. It holds rows; the
// hashing, the chain's rules and the record encoding stay in this package.
type Store interface {
	Chain
	// Head returns the sequence number and stored hash of the last event;
	// 0 and nil when the log is empty.
	Head(ctx context.Context) (seq int64, hash []byte, err error)
	// Append stores one batch of events as the next links of the chain, in
	// one write transaction. Inside it, under the engine's write lock, it
	// reads the head (0 and nil when the log is empty) and passes it to link,
	// which returns the events to insert, numbered on from seq and hashed over
	// hash. Why the head is read there: several processes (or replicas)
	// appending to one store must still form one chain. Nothing is stored
	// when link or an insert fails.
	Append(ctx context.Context, link func(seq int64, hash []byte) ([]Link, error)) error
	// Find calls fn for the events that match q, in sequence order, at most
	// q.Limit of them (the caller bounds it).
	Find(ctx context.Context, q Query, fn func(*Row) error) error
	// Each calls fn for every event with from <= time < to (zero bounds are
	// open), in sequence order, streaming rather than loading them all.
	Each(ctx context.Context, from, to time.Time, fn func(*Row) error) error
}

// Chain is the stored chain as verification reads it: the rows as they are
// stored, so that any change to them shows.
//
// The walks call fn once per row; an error from fn stops the walk and is
// returned as it is.
type Chain interface {
	// HashAt returns the stored hash of event seq, or apperr NotFound.
	HashAt(ctx context.Context, seq int64) ([]byte, error)
	// Bounds returns the least and the greatest stored sequence number; ok
	// is false when there is no event.
	Bounds(ctx context.Context) (first, last int64, ok bool, err error)
	// IndexAfter returns the least sequence number greater than seq that the
	// subject index names; ok is false when there is none.
	IndexAfter(ctx context.Context, seq int64) (next int64, ok bool, err error)
	// Walk calls fn for every event with a <= seq <= b, in sequence order.
	Walk(ctx context.Context, a, b int64, fn func(*Row) error) error
	// WalkIndex calls fn for every subject index row with a <= seq <= b,
	// ordered by sequence number and then subject. subject is the store's
	// own buffer, valid until fn returns.
	WalkIndex(ctx context.Context, a, b int64, fn func(seq int64, subject []byte) error) error
}

// Row is one stored event, its columns exactly as stored. Why bytes as
// stored: verification hashes what the store holds, not a decoded copy of
// it. The slices in a Row that a Store passes to fn are the store's own
// buffers, valid until fn returns: copy what you keep. Reusing them keeps a
// walk over millions of rows allocation-light.
type Row struct {
	Seq, AtMicros                      int64
	ActorID, TenantID, Action, Outcome []byte
	// Body packs the columns no query filters on (see encodeBody).
	Body []byte
	// Hash is the stored chain hash.
	Hash []byte
}

// Link is one event to append, as its columns are stored.
type Link struct {
	Seq, AtMicros                      int64
	ActorID, TenantID, Action, Outcome string
	Body, Hash                         []byte
	// Subjects are the event's distinct subjects, one subject index row each.
	Subjects []string
}
