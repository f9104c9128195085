package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/salvehealth/salve/internal/apperr"
)

// Report is the result of verifying the chain against the checkpoints.
type Report struct {
	// Events is how many events, from seq 1, were found intact.
	Events int64
	// HeadSeq and Head are the last intact event and its hash.
	HeadSeq int64
	Head    []byte
	// Checkpoints is how many checkpoints were read; Anchored is the seq of the
	// last one (events after it are chained but not yet signed).
	Checkpoints int
	Anchored    int64
	// OK is true when the chain, its subject index and every checkpoint agree.
	OK bool
	// FirstBad is the first sequence number at which the log is not what was
	// written (0 when OK).
	FirstBad int64
	// Problem says what is wrong at FirstBad, without event contents.
	Problem string
}

// verifyChunk is how many events one range of the walk covers.
const verifyChunk = 8192

// Verify walks the audit store's chain and checks every checkpoint in sink
// against it with the public key. A broken log is a Report with OK false, not
// an error; the error is for failures to read.
//
// Every link is checked on its own: event k must hash, over the stored hash of
// event k-1, to its own stored hash. All links holding is the same as the
// whole chain holding, and it lets ranges of the log be checked in parallel.
func Verify(ctx context.Context, chain Chain, sink CheckpointSink, pub ed25519.PublicKey) (Report, error) {
	return verify(ctx, chain, sink, pub, verifyChunk, runtime.GOMAXPROCS(0), nil)
}

// VerifyWithProgress is Verify that calls progress (from one goroutine at a
// time) with the events checked so far and the total, after each range.
func VerifyWithProgress(ctx context.Context, chain Chain, sink CheckpointSink, pub ed25519.PublicKey, progress func(done, total int64)) (Report, error) {
	return verify(ctx, chain, sink, pub, verifyChunk, runtime.GOMAXPROCS(0), progress)
}

// failure is the first problem found in one range.
type failure struct {
	seq     int64
	problem string
}

func (f *failure) set(seq int64, problem string) {
	if f.seq == 0 || seq < f.seq {
		f.seq, f.problem = seq, problem
	}
}

// errStop ends a walk early: the problem is recorded already.
var errStop = errors.New("audit: stop the walk")

func verify(ctx context.Context, chain Chain, sink CheckpointSink, pub ed25519.PublicKey, chunk, workers int,
	progress func(done, total int64)) (Report, error) {
	cps, err := sink.ReadAll(ctx)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Checkpoints: len(cps)}
	var bad failure
	// want maps a checkpointed seq to the head hash its checkpoint signed.
	want := make(map[int64][]byte, len(cps))
	for i, c := range cps {
		if !c.Valid(pub) {
			// A checkpoint that does not verify is itself tampering (or the
			// wrong key); name the seq it claims.
			bad.set(max(c.Seq, 1), fmt.Sprintf("checkpoint %d has a bad signature", i+1))
			continue
		}
		if h, ok := want[c.Seq]; ok && !bytes.Equal(h, c.Head) {
			bad.set(max(c.Seq, 1), "two checkpoints disagree about the same event")
		}
		want[c.Seq] = c.Head
		rep.Anchored = max(rep.Anchored, c.Seq)
	}

	first, hi, found, err := chain.Bounds(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("audit: verify: %w", err)
	}
	last := int64(0)
	if found {
		last = hi
		if first < 1 {
			bad.set(1, fmt.Sprintf("an event numbered %d precedes event 1", first))
		}
	}
	if rep.Anchored > last {
		bad.set(last+1, fmt.Sprintf("the log ends at event %d but a signed checkpoint covers %d (tail cut)", last, rep.Anchored))
	}
	// Subject index rows outside 1..last belong to no event.
	stray, ok, err := chain.IndexAfter(ctx, last)
	if err != nil {
		return Report{}, fmt.Errorf("audit: verify subject index: %w", err)
	}
	if ok {
		bad.set(stray, fmt.Sprintf("the subject index names event %d, which does not exist", stray))
	}

	type rng struct{ a, b int64 }
	var ranges []rng
	for a := int64(1); a <= last; a += int64(chunk) {
		ranges = append(ranges, rng{a, min(a+int64(chunk)-1, last)})
	}
	results := make([]failure, len(ranges))
	errs := make([]error, len(ranges))
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var checked int64
	for range max(1, min(workers, len(ranges))) {
		wg.Go(func() {
			r := newRangeChecker(want)
			for i := range next {
				errs[i] = r.check(ctx, chain, ranges[i].a, ranges[i].b, &results[i])
				if progress != nil {
					mu.Lock()
					checked += ranges[i].b - ranges[i].a + 1
					progress(checked, last)
					mu.Unlock()
				}
			}
		})
	}
	for i := range ranges {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return Report{}, err
	}
	for _, f := range results {
		if f.seq != 0 {
			bad.set(f.seq, f.problem)
		}
	}

	rep.FirstBad, rep.Problem = bad.seq, bad.problem
	rep.OK = bad.seq == 0
	rep.HeadSeq = last
	if !rep.OK {
		rep.HeadSeq = min(last, bad.seq-1)
	}
	rep.Events = rep.HeadSeq
	rep.Head = genesis
	if rep.HeadSeq > 0 {
		if rep.Head, err = chain.HashAt(ctx, rep.HeadSeq); err != nil {
			return Report{}, fmt.Errorf("audit: verify: %w", err)
		}
	}
	return rep, nil
}

// rangeChecker checks ranges of events; one per worker.
type rangeChecker struct {
	want map[int64][]byte
	pend []seqSubjects
}

func newRangeChecker(want map[int64][]byte) *rangeChecker {
	return &rangeChecker{want: want}
}

// check verifies the links of events a..b and their subject index rows, and
// records the first problem in f.
func (r *rangeChecker) check(ctx context.Context, chain Chain, a, b int64, f *failure) error {
	prev := genesis
	if a > 1 {
		h, err := chain.HashAt(ctx, a-1)
		switch {
		case apperr.Is(err, apperr.NotFound):
			prev = nil // the gap is reported by the range that holds a-1
		case err != nil:
			return fmt.Errorf("audit: verify: %w", err)
		default:
			prev = h
		}
	}
	expect, err := r.walk(ctx, chain, a, b, prev, f)
	if err != nil {
		return err
	}
	if f.seq == 0 && expect <= b {
		f.set(expect, fmt.Sprintf("event %d is missing", expect))
	}
	// The subject index of the events that passed; beyond a break the break
	// is what counts.
	upto := b
	if f.seq != 0 {
		upto = f.seq - 1
	}
	return checkIndex(ctx, chain, a, upto, r.pend, f)
}

// walk checks the links of events a..b, stopping at the first problem, and
// returns the seq it expected next.
//
// Why the rows as stored (the store's raw bytes): verification hashes the
// stored bytes as they are, and reading them without copies keeps it
// allocation-light (it walks millions of rows).
func (r *rangeChecker) walk(ctx context.Context, chain Chain, a, b int64, prev []byte, f *failure) (int64, error) {
	h := newHasher()
	expect := a
	r.pend = r.pend[:0]
	err := chain.Walk(ctx, a, b, func(row *Row) error {
		if row.Seq != expect {
			f.set(expect, fmt.Sprintf("event %d is missing", expect))
			return errStop
		}
		fs := fields{row.ActorID, row.TenantID, row.Action, row.Outcome, row.Body}
		sum := chainHash(h, prev, row.Seq, row.AtMicros, &fs)
		if !bytes.Equal(sum, row.Hash) {
			f.set(row.Seq, fmt.Sprintf("event %d does not match its hash chain", row.Seq))
			return errStop
		}
		if cp, ok := r.want[row.Seq]; ok && !bytes.Equal(cp, sum) {
			f.set(row.Seq, fmt.Sprintf("event %d differs from the signed checkpoint", row.Seq))
			return errStop
		}
		r.pend = append(r.pend, seqSubjects{row.Seq, bodySubjects(row.Body)})
		prev = append(prev[:0:0], row.Hash...)
		expect++
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return 0, fmt.Errorf("audit: verify: %w", err)
	}
	return expect, nil
}

type seqSubjects struct {
	seq      int64
	subjects []string // sorted, without repeats
}

// bodySubjects returns the distinct subjects in a stored body, sorted.
func bodySubjects(body []byte) []string {
	var e Entry
	if decodeBody(body, &e) != nil {
		return nil
	}
	if len(e.Subjects) < 2 {
		return e.Subjects
	}
	return slices.Compact(slices.Sorted(slices.Values(e.Subjects)))
}

// checkIndex compares the subject index rows with a <= seq <= b against the
// subjects of the events in pend (which hold every seq of a..b, in order).
func checkIndex(ctx context.Context, chain Chain, a, b int64, pend []seqSubjects, f *failure) error {
	if b < a {
		return nil
	}
	i, j := 0, 0 // event in pend, subject within it
	bad := func(seq int64) error {
		f.set(seq, fmt.Sprintf("the subject index of event %d is not as written", seq))
		return errStop
	}
	err := chain.WalkIndex(ctx, a, b, func(seq int64, subject []byte) error {
		for i < len(pend) && pend[i].seq < seq {
			if j != len(pend[i].subjects) {
				return bad(pend[i].seq) // an index row is missing
			}
			i, j = i+1, 0
		}
		if i == len(pend) || pend[i].seq != seq || j >= len(pend[i].subjects) || pend[i].subjects[j] != string(subject) {
			return bad(seq) // an index row that the event does not have
		}
		j++
		return nil
	})
	if errors.Is(err, errStop) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("audit: verify subject index: %w", err)
	}
	for ; i < len(pend); i, j = i+1, 0 {
		if j != len(pend[i].subjects) {
			_ = bad(pend[i].seq)
			return nil
		}
	}
	return nil
}
