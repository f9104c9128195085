package phi

import (
	"context"
	"sync"
)

// KeyMemo lets the audited vault accesses of one view share the data key
// rows they read: the dashboard opens one handle per data class (each
// recorded by its own audit event), all for the same patient, and without
// the memo each handle read that patient's key row again (one statement
// per widget).
//
// Why only for one view: the vault reads a key's row before it uses the key
// so that a shredded key (row gone) is never used, on any replica. A memo
// that lives for one request keeps that promise at the request's
// granularity: a key read once by a request is used only by that request,
// which a shred racing it could not have stopped anyway. It holds wrapped
// keys only, never plaintext, and is dropped with the request's context.
type KeyMemo struct {
	mu   sync.Mutex
	vals map[string]any
}

type keyMemoKey struct{}

// WithKeyMemo returns ctx with a new KeyMemo: the vault accesses made under
// it (one view of one page) share their key row reads.
func WithKeyMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, keyMemoKey{}, &KeyMemo{vals: map[string]any{}})
}

// KeyMemoFrom returns the KeyMemo of ctx, or nil.
func KeyMemoFrom(ctx context.Context) *KeyMemo {
	m, _ := ctx.Value(keyMemoKey{}).(*KeyMemo)
	return m
}

// Do returns what load returned for key before, or calls it and keeps its
// result when it succeeds. Concurrent callers wait for one load (the memo is
// held while it runs): the handles of one view arrive together, right after
// their audit events' shared commit.
func (m *KeyMemo) Do(key string, load func() (any, error)) (any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.vals[key]; ok {
		return v, nil
	}
	v, err := load()
	if err != nil {
		return nil, err
	}
	m.vals[key] = v
	return v, nil
}

// KeyRow is a subject's wrapped data key row as a request read it earlier
// (with its session: signin.Extras), never a plaintext key. Found is false
// when the subject had no key row then.
type KeyRow struct {
	TenantID, Subject string
	Found             bool
	KEKVersion        string
	Wrapped           []byte
}

type keyRowKey struct{}

// WithKeyRow returns ctx carrying a key row this request read already: the
// vault accesses under a KeyMemo (one view) then take the row of that
// subject from it instead of reading it again, a statement fewer a view.
// Why safe, as for KeyMemo: the row is this request's read, used only by
// this request and dropped with it; a shred racing the request could not
// have stopped a read made a moment later either.
func WithKeyRow(ctx context.Context, r KeyRow) context.Context {
	return context.WithValue(ctx, keyRowKey{}, &r)
}

// KeyRowFrom returns the row WithKeyRow put in ctx for tenant and subject;
// ok is false when there is none for them.
func KeyRowFrom(ctx context.Context, tenant, subject string) (r KeyRow, ok bool) {
	p, _ := ctx.Value(keyRowKey{}).(*KeyRow)
	if p == nil || p.TenantID != tenant || p.Subject != subject {
		return KeyRow{}, false
	}
	return *p, true
}
