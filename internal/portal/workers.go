package portal

import (
	"sync"
	"time"
)

// workers runs the widget sources of dashboard views on goroutines that
// outlive one view. Why: a source goes deep (SQLite's engine, decryption,
// JSON), and a fresh goroutine starts with a small stack that is copied
// larger several times on the way there: about 5–8 % of a dashboard's CPU
// at 64 connections went to that copying (runtime.newstack) when each view
// started a goroutine per widget. A worker that ran a source before keeps
// its grown stack for the next one. A source is still given to a goroutine
// of its own the moment no worker is idle, so sources never wait for each
// other (they must run at once: each waits for its own audit commit, and
// together their events share one group commit).
//
// Nothing is kept between the sources a worker runs: each is a closure over
// its own view's context and result slots, and a worker holds no reference
// to it once it returned.
type workers struct {
	// work hands a source to an idle worker; unbuffered, so a send only
	// succeeds when one is waiting.
	work chan func()
	// idle is how long a worker waits for more before it exits: the pool
	// shrinks back to nothing when views stop.
	idle time.Duration
	// mu guards n, the number of live workers, bounded by max.
	mu  sync.Mutex
	n   int
	max int
}

// widgetWorkers is the process's pool: at most 1024 kept (64 connections of
// 11 widgets each is 704), each gone after 10 s without work.
var widgetWorkers = &workers{work: make(chan func()), idle: 10 * time.Second, max: 1024}

// run runs f on an idle worker, or else on a new goroutine, which becomes a
// worker after f returns if the pool has room.
func (p *workers) run(f func()) {
	select {
	case p.work <- f:
		return
	default:
	}
	p.mu.Lock()
	keep := p.n < p.max
	if keep {
		p.n++
	}
	p.mu.Unlock()
	if !keep {
		go f()
		return
	}
	go p.loop(f)
}

// loop runs f, then whatever is handed over, until idle passes without work.
func (p *workers) loop(f func()) {
	defer func() {
		p.mu.Lock()
		p.n--
		p.mu.Unlock()
	}()
	t := time.NewTimer(p.idle)
	defer t.Stop()
	for {
		f()
		f = nil // hold nothing of the last view while waiting
		t.Reset(p.idle)
		select {
		case f = <-p.work:
		case <-t.C:
			return
		}
	}
}

// live says how many workers there are (tests).
func (p *workers) live() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}
