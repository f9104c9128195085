package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"fmt"
	"hash"

	"github.com/salvehealth/salve/internal/store"
)

// Report is the result of verifying the chain against the checkpoints.
type Report struct {
	// Events is how many events were read.
	Events int64
	// HeadSeq and Head are the last event read and its hash.
	HeadSeq int64
	Head    []byte
	// Checkpoints is how many checkpoints were read; Anchored is the seq of the
	// last one (events after it are chained but not yet signed).
	Checkpoints int
	Anchored    int64
	// OK is true when the chain and every checkpoint agree.
	OK bool
	// FirstBad is the first sequence number at which the log is not what was
	// written (0 when OK).
	FirstBad int64
	// Problem says what is wrong at FirstBad, without event contents.
	Problem string
}

// Verify walks the audit store's chain and checks every checkpoint in sink
// against it with the public key. A broken log is a Report with OK false, not
// an error; the error is for failures to read.
func Verify(ctx context.Context, db *store.DB, sink CheckpointSink, pub ed25519.PublicKey) (Report, error) {
	return verify(ctx, db.Reader(), sink, pub)
}

func verify(ctx context.Context, q queryer, sink CheckpointSink, pub ed25519.PublicKey) (Report, error) {
	cps, err := sink.ReadAll(ctx)
	if err != nil {
		return Report{}, err
	}
	rows, err := q.QueryContext(ctx, "SELECT "+selectColumns+" FROM audit_events ORDER BY seq")
	if err != nil {
		return Report{}, fmt.Errorf("audit: verify: %w", err)
	}
	defer rows.Close()
	v := newVerifier(cps, pub)
	// Why raw bytes: verification hashes the stored bytes as they are, and
	// scanning into reused buffers keeps it allocation-light (it walks
	// millions of rows).
	var r rawRow
	dest := make([]any, 0, len(columns))
	dest = append(dest, &r.seq, &r.at)
	for i := range r.f {
		dest = append(dest, (*sql.RawBytes)(&r.f[i]))
	}
	dest = append(dest, (*sql.RawBytes)(&r.hash))
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return Report{}, fmt.Errorf("audit: verify: %w", err)
		}
		if !v.add(&r) {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return Report{}, fmt.Errorf("audit: verify: %w", err)
	}
	return v.finish(), nil
}

// verifier checks records one at a time, in seq order.
type verifier struct {
	rep  Report
	prev []byte
	h    hash.Hash
	// want maps a checkpointed seq to the head hash its checkpoint signed.
	want   map[int64][]byte
	lastCP int64
}

func newVerifier(cps []Checkpoint, pub ed25519.PublicKey) *verifier {
	v := &verifier{prev: genesis, h: newHasher(), want: make(map[int64][]byte)}
	v.rep.Checkpoints = len(cps)
	for i, c := range cps {
		if !c.Valid(pub) {
			// A checkpoint that does not verify is itself tampering (or the
			// wrong key); name the seq it claims.
			v.fail(max(c.Seq, 1), fmt.Sprintf("checkpoint %d has a bad signature", i+1))
			continue
		}
		if prev, ok := v.want[c.Seq]; ok && !bytes.Equal(prev, c.Head) {
			v.fail(c.Seq, "two checkpoints disagree about the same event")
		}
		v.want[c.Seq] = c.Head
		v.lastCP = max(v.lastCP, c.Seq)
	}
	v.rep.Anchored = v.lastCP
	return v
}

func (v *verifier) fail(seq int64, problem string) {
	if v.rep.FirstBad == 0 || seq < v.rep.FirstBad {
		v.rep.FirstBad, v.rep.Problem = seq, problem
	}
}

// rawRow is one stored event as verification reads it.
type rawRow struct {
	seq, at int64
	f       fields
	hash    []byte
}

// add checks one row; false stops the walk (the first break is found).
func (v *verifier) add(r *rawRow) bool {
	want := v.rep.HeadSeq + 1
	switch {
	case r.seq > want:
		v.fail(want, fmt.Sprintf("event %d is missing", want))
		return false
	case r.seq < want:
		v.fail(r.seq, fmt.Sprintf("event %d is out of order", r.seq))
		return false
	}
	h := chainHash(v.h, v.prev, r.seq, r.at, &r.f)
	if !bytes.Equal(h, r.hash) {
		v.fail(r.seq, fmt.Sprintf("event %d does not match its hash chain", r.seq))
		return false
	}
	if cp, ok := v.want[r.seq]; ok && !bytes.Equal(cp, h) {
		v.fail(r.seq, fmt.Sprintf("event %d differs from the signed checkpoint", r.seq))
		return false
	}
	v.prev = h
	v.rep.HeadSeq = r.seq
	v.rep.Events++
	return true
}

func (v *verifier) finish() Report {
	v.rep.Head = v.prev
	if v.rep.FirstBad == 0 && v.lastCP > v.rep.HeadSeq {
		v.fail(v.rep.HeadSeq+1, fmt.Sprintf("the log ends at event %d but a signed checkpoint covers %d (tail cut)", v.rep.HeadSeq, v.lastCP))
	}
	v.rep.OK = v.rep.FirstBad == 0
	return v.rep
}
