package jobs

import (
	"context"
	"log/slog"
	"sync"
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
	return &After{log: log, slots: make(chan struct{}, concurrency)}
}

// Go runs fn after the caller goes on, with ctx's values (actor, request id)
// but not its cancellation: the answer is sent, and the request's context
// ends, before or while fn runs. A failure is logged with name (never with
// the address: errors of the stores carry no PHI).
func (a *After) Go(ctx context.Context, name string, fn func(context.Context) error) {
	a.slots <- struct{}{}
	a.wg.Add(1)
	ctx = context.WithoutCancel(ctx)
	go func() {
		defer a.wg.Done()
		defer func() { <-a.slots }()
		a.gate.RLock()
		defer a.gate.RUnlock()
		if err := fn(ctx); err != nil {
			a.log.ErrorContext(ctx, "work after the answer failed", "work", name, "err", err)
		}
	}()
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
