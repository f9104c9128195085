package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progressEvery is the least time between two redraws: often enough to see
// work moving, rarely enough that drawing costs nothing next to the work.
const progressEvery = 100 * time.Millisecond

// progress shows how far long work has come (catalog import, audit verify,
// key rotation, demo seeding) as one line redrawn in place on env.Progress.
// With no terminal (env.Progress nil: output piped or redirected) every
// method does nothing, so scripts and logs get only the command's results.
// Safe for use by several goroutines.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	now   func() time.Time
	label string
	total int64 // 0: unknown, only the count is shown
	done  int64
	last  time.Time
	drawn int // width of the line on screen, to blank it out
}

// progress starts a progress line for label with total units of work (0
// when the total is not known).
func (env *Env) progress(label string, total int64) *progress {
	return &progress{w: env.Progress, now: time.Now, label: label, total: total}
}

// Set records that done units are finished and redraws the line, at most
// every progressEvery (always when the work is complete).
func (p *progress) Set(done int64) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = done
	if t := p.now(); p.drawn == 0 || t.Sub(p.last) >= progressEvery || (p.total > 0 && done >= p.total) {
		p.last = t
		p.draw()
	}
}

// Total sets how many units the work has, once it is known; it draws
// nothing by itself.
func (p *progress) Total(total int64) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	p.total = total
	p.mu.Unlock()
}

// Add records n more finished units.
func (p *progress) Add(n int64) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	d := p.done + n
	p.mu.Unlock()
	p.Set(d)
}

// Step starts the next phase of the work under a new label and total, and
// draws it at once.
func (p *progress) Step(label string, total int64) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.label, p.total, p.done, p.last = label, total, 0, p.now()
	p.draw()
}

// Done blanks the line, so that what the command prints next starts on a
// clean line.
func (p *progress) Done() {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn > 0 {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.drawn)+"\r")
		p.drawn = 0
	}
}

// draw writes the line; p.mu is held.
func (p *progress) draw() {
	line := p.label
	switch {
	case p.total > 0:
		line += fmt.Sprintf(": %d of %d (%d%%)", p.done, p.total, min(p.done*100/p.total, 100))
	case p.done > 0:
		line += fmt.Sprintf(": %d", p.done)
	default:
		line += "…"
	}
	pad := max(p.drawn-len(line), 0)
	fmt.Fprint(p.w, "\r"+line+strings.Repeat(" ", pad))
	p.drawn = len(line)
}

// countingReader counts the bytes read through it into a progress line and,
// at the end of its input, moves the line on to the step then.
type countingReader struct {
	r     io.Reader
	p     *progress
	then  string
	ended bool
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.p.Add(int64(n))
	if errors.Is(err, io.EOF) && !c.ended && c.then != "" {
		c.ended = true
		c.p.Step(c.then, 0)
	}
	return n, err
}
