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
	mu   sync.Mutex // guards vals, never held while a value is computed
	vals map[string]*memoVal
}

// memoVal is one remembered value; once makes concurrent askers of the same
// key wait for the first one's computation instead of repeating it.
type memoVal struct {
	once sync.Once
	v    any
	err  error
}

// WithMemo returns a context in which Remember keeps what it computes; the
// dashboard sets it for one view and drops it with the request.
func WithMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, memoKey{}, &memo{vals: map[string]*memoVal{}})
}

// Remember returns what fn returned the first time key was asked for in
// ctx's memo; without a memo it calls fn every time. Keys name what and
// whose ("orders:" + patient id). It is safe for concurrent use: the
// dashboard asks its sources at once, and two sources asking for one key
// share one computation (one read, one audited access) while sources asking
// for different keys do not wait for each other.
func Remember[T any](ctx context.Context, key string, fn func() (T, error)) (T, error) {
	m, ok := ctx.Value(memoKey{}).(*memo)
	if !ok {
		return fn()
	}
	m.mu.Lock()
	got, ok := m.vals[key]
	if !ok {
		got = &memoVal{}
		m.vals[key] = got
	}
	m.mu.Unlock()
	got.once.Do(func() { got.v, got.err = fn() })
	v, _ := got.v.(T)
	return v, got.err
}

// OrdersKey is the memo key of a patient's orders as the order widgets read
// them (orders.Service.List, the orders data class): the widgets that show
// orders share that one read per dashboard view.
func OrdersKey(tenantID, patientID string) string { return "orders:" + tenantID + ":" + patientID }
