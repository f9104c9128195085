package jobs

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// After runs work that a request hands off to be done after its answer.
//
// Why: a form that takes an email address (forgot password, registration,
// the proxy grant) must not tell by its timing whether the address has an
// account. The work that depends on that (look the account up, write the
// audit event, queue the email) differs between the two cases, so it is done
// after the answer in both: before answering, both paths do the same thing
// (check the input, hand one piece of work here). The alternative, doing
// equal work on both paths, would mean writing tokens and emails for nobody,
// whose cost still differs from the real ones.
//
// The work is not durable: a process that dies loses what it had not done
// yet (a reset or verification email; the person asks again). Nothing of
// money, stock or records is handed off here.
type After struct {
	log   *slog.Logger
	slots chan struct{}
	wg    sync.WaitGroup
	gate  sync.RWMutex
	pause time.Duration
	floor time.Duration
}

// NewAfter returns a runner that does at most concurrency pieces of work at
// once; a request that hands off more waits for a slot (the same wait
// whatever the address, so it tells nothing).
func NewAfter(log *slog.Logger, concurrency int) *After {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if concurrency < 1 {
		concurrency = 1
	}
	return &After{log: log, slots: make(chan struct{}, concurrency), pause: AfterPause, floor: AnswerFloor}
}

// AfterPause is how long handed-off work waits after the answer was flushed
// before it starts. Why: a flushed answer is in the kernel's hands, but on a
// busy machine the work would still compete for the processor with the
// answer's last steps on the way to the client (measured in
// bench/enumeration: without the pause, the answer for an address with an
// account arrived about 35 % later). An email 20 ms later costs nobody
// anything.
const AfterPause = 20 * time.Millisecond

// AnswerFloor is the least time a request that hands work off (through
// Collect) takes before its answer: Go holds the handler until that long
// after the request began. Why: handing off makes both paths of a form do
// the same work before answering, but the two still differ in what they
// leave behind on the machine (the audit append, the sealed email, their
// garbage and disk writes of the address with an account), and on a busy
// machine that falls on later requests unevenly: bench/enumeration saw the
// medians of the forgot form up to 22 % apart with the work after the
// answer alone. A floor well above what the form's own work takes (about
// 1 ms) makes the answer's timing the floor's, whatever the address; a
// person asking for a reset link does not notice 25 ms.
const AnswerFloor = 25 * time.Millisecond

// Go runs fn after the answer, with ctx's values (actor, request id) but not
// its cancellation. In a request that went through Collect, fn starts only
// once the answer is written (see Collect); elsewhere it starts at once,
// beside the caller. A failure is logged with name (never with the address:
// errors of the stores carry no PHI).
func (a *After) Go(ctx context.Context, name string, fn func(context.Context) error) {
	a.wg.Add(1)
	w := work{ctx: context.WithoutCancel(ctx), name: name, fn: fn}
	if p, ok := ctx.Value(pendingKey{}).(*pending); ok {
		p.mu.Lock()
		p.work = append(p.work, w)
		p.mu.Unlock()
		a.hold(ctx, p.began)
		return
	}
	a.start(w)
}

// hold returns AnswerFloor after began (at once when that has passed, or
// when the request is cancelled).
func (a *After) hold(ctx context.Context, began time.Time) {
	d := time.Until(began.Add(a.floor))
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// work is one piece of handed-off work.
type work struct {
	ctx  context.Context
	name string
	fn   func(context.Context) error
}

// start runs w when a slot is free.
func (a *After) start(w work) {
	a.slots <- struct{}{}
	go func() {
		time.Sleep(a.pause)
		defer a.wg.Done()
		defer func() { <-a.slots }()
		a.gate.RLock()
		defer a.gate.RUnlock()
		if err := w.fn(w.ctx); err != nil {
			a.log.ErrorContext(w.ctx, "work after the answer failed", "work", w.name, "err", err)
		}
	}()
}

type pendingKey struct{}

// pending is the work a request handed off, kept until its answer is out.
type pending struct {
	began time.Time // when the request began (Collect): see AnswerFloor
	mu    sync.Mutex
	work  []work
}

// Collect returns ctx for a request, and the function to call once its
// answer is written and flushed: work handed off (Go) during the request
// waits for that call. Why: work that starts while the answer is still being
// rendered competes with it for the processor, and the work differs between
// an address with an account and one without, so the answer's timing would
// still tell them apart (measured in bench/enumeration).
func (a *After) Collect(ctx context.Context) (context.Context, func()) {
	p := &pending{began: time.Now()}
	return context.WithValue(ctx, pendingKey{}, p), func() {
		p.mu.Lock()
		ws := p.work
		p.work = nil
		p.mu.Unlock()
		for _, w := range ws {
			a.start(w)
		}
	}
}

// Handed reports whether the request of ctx (from Collect) handed off work
// that waits for its answer: only such answers need flushing before the
// request ends.
func (a *After) Handed(ctx context.Context) bool {
	p, ok := ctx.Value(pendingKey{}).(*pending)
	if !ok {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.work) > 0
}

// Wait returns when every piece of work handed off so far is done: server
// shutdown waits for it, and tests before they look at what was done.
func (a *After) Wait() { a.wg.Wait() }

// Hold keeps work from starting until release is called: tests use it to see
// what a request did before its answer.
func (a *After) Hold() (release func()) {
	a.gate.Lock()
	return a.gate.Unlock
}
