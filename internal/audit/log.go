package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"hash"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/salvehealth/salve/internal/clock"
)

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("audit: log is closed")

// DefaultCheckpointEvery is how often a running log signs a checkpoint.
const DefaultCheckpointEvery = 5 * time.Minute

// gatherSpins is how many times the writer yields for more events before it
// commits a batch.
const gatherSpins = 4

// maxBatch bounds one group commit. Both engines take far more parameters per
// statement than maxBatch*columns.
const maxBatch = 128

// Options configure a Log.
type Options struct {
	// Clock gives event and checkpoint times; the system clock by default.
	Clock clock.Clock
	// Keys sign checkpoints and key the text HMAC. When nil, KeyFile is loaded
	// (and created if absent).
	Keys    *Keys
	KeyFile string
	// Checkpoints is the second sink; when nil, a FileSink at CheckpointFile.
	Checkpoints    CheckpointSink
	CheckpointFile string
	// CheckpointEvery is how often a checkpoint is signed while events arrive;
	// DefaultCheckpointEvery when zero, never when negative (Close still does).
	CheckpointEvery time.Duration
	// Log receives operational messages (never event contents).
	Log *slog.Logger
}

// Log is an open audit log. It is safe for concurrent use.
type Log struct {
	store Store
	clock clock.Clock
	keys  *Keys
	sink  CheckpointSink
	log   *slog.Logger

	reqs chan *pending
	quit chan struct{}
	done chan struct{}

	// closeMu guards closed. Append holds it for reading while it queues an
	// event, so Close cannot stop the writer between the check and the send;
	// the writer never takes it, so a full queue cannot deadlock.
	closeMu sync.RWMutex
	closed  bool

	mu        sync.Mutex // guards the fields below
	headSeq   int64
	headHash  []byte
	markedSeq int64 // last checkpointed seq

	cpMu sync.Mutex // one checkpoint at a time

	commits, committed atomic.Int64 // for Stats

	// chainer and link are the writer's: only the writer goroutine
	// touches them.
	chainer chainer
	link    func(seq int64, hash []byte) ([]Link, error)
}

// Stats says how many commits the writer made and how many events they held
// (their ratio is the group-commit batch size).
func (l *Log) Stats() (commits, events int64) { return l.commits.Load(), l.committed.Load() }

type pending struct {
	e    Entry
	done chan error
}

// Open opens the audit log on a migrated audit store and starts its writer.
func Open(ctx context.Context, s Store, opts Options) (*Log, error) {
	if s == nil {
		return nil, errors.New("audit: Open needs the audit store")
	}
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	keys := opts.Keys
	if keys == nil {
		if opts.KeyFile == "" {
			return nil, errors.New("audit: no keys and no key file")
		}
		k, err := LoadKeys(opts.KeyFile)
		if err != nil {
			return nil, err
		}
		keys = k
	}
	sink := opts.Checkpoints
	if sink == nil {
		if opts.CheckpointFile == "" {
			return nil, errors.New("audit: no checkpoint sink and no checkpoint file")
		}
		sink = NewFileSink(opts.CheckpointFile)
	}
	l := &Log{
		store: s, clock: opts.Clock, keys: keys, sink: sink, log: opts.Log,
		reqs: make(chan *pending, 4*maxBatch),
		quit: make(chan struct{}),
		done: make(chan struct{}),
	}
	l.chainer.h = newHasher()
	l.link = l.chainer.link
	seq, h, err := l.head(ctx)
	if err != nil {
		return nil, err
	}
	l.headSeq, l.headHash = seq, h
	cps, err := sink.ReadAll(ctx)
	if err != nil {
		return nil, err
	}
	if n := len(cps); n > 0 {
		last := cps[n-1]
		// Why refuse to start: appending on top of a store that lost signed
		// events (or whose signed head changed) would bury the evidence under
		// new events. A quick check of the last checkpoint; the full one is
		// `salve audit verify`.
		if last.Seq > seq {
			return nil, fmt.Errorf("audit: the store ends at event %d but a signed checkpoint covers event %d: run 'salve audit verify'", seq, last.Seq)
		}
		h, err := s.HashAt(ctx, last.Seq)
		if err != nil {
			return nil, fmt.Errorf("audit: read checkpointed event %d: %w", last.Seq, err)
		}
		if !bytes.Equal(h, last.Head) || !last.Valid(keys.Public()) {
			return nil, fmt.Errorf("audit: event %d does not match its signed checkpoint: run 'salve audit verify'", last.Seq)
		}
		l.markedSeq = last.Seq
	}
	every := opts.CheckpointEvery
	if every == 0 {
		every = DefaultCheckpointEvery
	}
	go l.run(every) //nolint:gosec // the writer outlives Open's context by design; it stops at Close
	return l, nil
}

// TextHMAC turns free text (a search term) into the value stored in
// Entry.TextHMAC. Why an HMAC: the same term always gives the same value, so
// compliance can ask "who searched for X" by computing it, while the store
// never holds the text, which may itself be PHI.
func (l *Log) TextHMAC(s string) []byte { return textHMAC(l.keys.HMAC, s) }

// PublicKey returns the key that verifies this log's checkpoints.
func (l *Log) PublicKey() ed25519.PublicKey { return l.keys.Public() }

// Append records e and returns once it is committed to the audit store. Events
// of concurrent callers are committed together (group commit).
func (l *Log) Append(ctx context.Context, e Entry) error {
	e, err := fill(ctx, e, l.clock.Now())
	if err != nil {
		return err
	}
	p := &pending{e: e, done: make(chan error, 1)}
	l.closeMu.RLock()
	if l.closed {
		l.closeMu.RUnlock()
		return ErrClosed
	}
	select {
	case l.reqs <- p:
		l.closeMu.RUnlock()
	case <-ctx.Done():
		l.closeMu.RUnlock()
		return ctx.Err()
	}
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		// The event may still be committed; the caller must treat it as failed
		// (fail closed: no PHI for an access whose record is not confirmed).
		return ctx.Err()
	}
}

// run is the single writer: it takes whatever is queued, up to maxBatch, and
// commits it in one transaction.
func (l *Log) run(every time.Duration) {
	defer close(l.done)
	var tick <-chan time.Time
	if every > 0 {
		t := time.NewTicker(every)
		defer t.Stop()
		tick = t.C
	}
	batch := make([]*pending, 0, maxBatch)
	for {
		select {
		case p := <-l.reqs:
			batch = append(batch[:0], p)
			// Gather the batch. Callers whose events were in the last commit
			// are just waking up to send their next one; yielding a few times
			// lets them, so that one commit (one fsync) carries many events
			// instead of a trickle. Alone, a caller waits only for the yields.
			for spins := 0; len(batch) < maxBatch; {
				select {
				case p := <-l.reqs:
					batch = append(batch, p)
					continue
				default:
				}
				if spins == gatherSpins {
					break
				}
				spins++
				runtime.Gosched()
			}
			err := l.commit(batch)
			for _, p := range batch {
				p.done <- err
			}
		case <-tick:
			if err := l.Checkpoint(context.Background()); err != nil {
				l.log.Error("audit checkpoint", "err", err)
			}
		case <-l.quit:
			// Drain what was queued before Close.
			for {
				select {
				case p := <-l.reqs:
					p.done <- l.commit([]*pending{p})
				default:
					return
				}
			}
		}
	}
}

// commit appends a batch in one transaction. The store re-reads the head
// inside the transaction, under the engine's write lock, and the batch is
// chained onto that head, so that several processes (or replicas) appending
// to one store still form one chain.
func (l *Log) commit(batch []*pending) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := &l.chainer
	c.batch = batch
	err := l.store.Append(ctx, l.link)
	lastSeq, lastHash := c.seq, c.hash
	// The buffers outlive the batch: let go of its events.
	clear(c.links)
	c.batch, c.links, c.seq, c.hash = nil, c.links[:0], 0, nil
	if err == nil && lastHash == nil {
		err = errors.New("the store committed without chaining the batch")
	}
	if err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	l.mu.Lock()
	l.headSeq, l.headHash = lastSeq, lastHash
	l.mu.Unlock()
	l.commits.Add(1)
	l.committed.Add(int64(len(batch)))
	return nil
}

// chainer turns the writer's batch into the links that follow a head. The
// writer keeps one, with its buffers, and Log.link is its bound method made
// once: a commit, which on a quiet server carries a single event, allocates
// no closure for the store to call back.
type chainer struct {
	h     hash.Hash
	batch []*pending
	links []Link
	// seq and hash are the last link made: the new head once committed.
	seq  int64
	hash []byte
}

// link chains the batch onto the head (seq, prev) that the store read.
func (c *chainer) link(seq int64, prev []byte) ([]Link, error) {
	if seq == 0 {
		prev = genesis
	}
	links := c.links[:0]
	for _, p := range c.batch {
		seq++
		f := entryFields(&p.e)
		at := p.e.Time.UnixMicro()
		sum := chainHash(c.h, prev, seq, at, &f)
		links = append(links, Link{Seq: seq, AtMicros: at, ActorID: p.e.ActorID, TenantID: p.e.TenantID,
			Action: p.e.Action, Outcome: string(p.e.Outcome), Body: f[4], Hash: sum, Subjects: dedupe(p.e.Subjects)})
		prev = sum
	}
	c.links, c.seq, c.hash = links, seq, prev
	return links, nil
}

// dedupe returns ss without repeats, in order. Without repeats (nearly
// always) it is ss itself: no copy per appended event.
func dedupe(ss []string) []string {
	for i := 1; i < len(ss); i++ {
		if slices.Contains(ss[:i], ss[i]) {
			out := make([]string, 0, len(ss))
			for _, s := range ss {
				if !slices.Contains(out, s) {
					out = append(out, s)
				}
			}
			return out
		}
	}
	return ss
}

// head returns the last seq and hash in the store; 0 and the genesis hash
// when it is empty.
func (l *Log) head(ctx context.Context) (int64, []byte, error) {
	seq, h, err := l.store.Head(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("audit: %w", err)
	}
	if seq == 0 {
		return 0, genesis, nil
	}
	return seq, h, nil
}

// Head returns the sequence number and hash of the last committed event.
func (l *Log) Head() (int64, []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.headSeq, bytes.Clone(l.headHash)
}

// Checkpoint signs the current head and writes it to the checkpoint sink,
// unless nothing was appended since the last checkpoint.
func (l *Log) Checkpoint(ctx context.Context) error {
	l.cpMu.Lock()
	defer l.cpMu.Unlock()
	// Read the head from the store rather than memory: another process may
	// have appended, and a checkpoint must name a head that is committed.
	seq, h, err := l.head(ctx)
	if err != nil {
		return err
	}
	l.mu.Lock()
	marked := l.markedSeq
	l.mu.Unlock()
	if seq == 0 || seq == marked {
		return nil
	}
	c := Checkpoint{Seq: seq, Head: h, Time: l.clock.Now()}
	c.Sign(l.keys.Signing)
	if err := l.sink.Write(ctx, c); err != nil {
		return err
	}
	l.mu.Lock()
	l.markedSeq = seq
	l.mu.Unlock()
	return nil
}

// Close stops the writer after committing what was queued, and writes a final
// checkpoint. It does not close the store.
func (l *Log) Close() error {
	l.closeMu.Lock()
	if l.closed {
		l.closeMu.Unlock()
		return nil
	}
	l.closed = true
	l.closeMu.Unlock()
	close(l.quit)
	<-l.done
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return l.Checkpoint(ctx)
}
