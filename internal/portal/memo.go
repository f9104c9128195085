package portal

import (
	"context"
	"sync"
)

// memoKey is the context key of a request's memo.
type memoKey struct{}

// memo holds what the sources of one dashboard view share (the patient's
// orders feed both order widgets and the offer), so that one view reads
// each table once and opens each class under one audited access.
type memo struct {
	mu   sync.Mutex
	vals map[string]memoVal
}

type memoVal struct {
	v   any
	err error
}

// WithMemo returns a context in which Remember keeps what it computes; the
// dashboard sets it for one view and drops it with the request.
func WithMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, memoKey{}, &memo{vals: map[string]memoVal{}})
}

// Remember returns what fn returned the first time key was asked for in
// ctx's memo; without a memo it calls fn every time. Keys name what and
// whose ("orders:" + patient id).
func Remember[T any](ctx context.Context, key string, fn func() (T, error)) (T, error) {
	m, ok := ctx.Value(memoKey{}).(*memo)
	if !ok {
		return fn()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if got, ok := m.vals[key]; ok {
		v, _ := got.v.(T)
		return v, got.err
	}
	v, err := fn()
	m.vals[key] = memoVal{v: v, err: err}
	return v, err
}
