package phi

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// TestKeyMemoLoadsOnceAndForgetsFailures: concurrent callers of one key
// share one load; a failed load is not kept; a context without a memo has
// none.
func TestKeyMemoLoadsOnceAndForgetsFailures(t *testing.T) {
	if KeyMemoFrom(context.Background()) != nil {
		t.Fatal("a memo in a bare context")
	}
	m := KeyMemoFrom(WithKeyMemo(context.Background()))
	var loads atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			v, err := m.Do("k", func() (any, error) { loads.Add(1); return 7, nil })
			if err != nil || v.(int) != 7 {
				t.Errorf("Do: %v %v", v, err)
			}
		})
	}
	wg.Wait()
	if loads.Load() != 1 {
		t.Errorf("%d loads, want 1", loads.Load())
	}
	if _, err := m.Do("bad", func() (any, error) { return nil, errors.New("store down") }); err == nil {
		t.Fatal("a failed load returned no error")
	}
	if v, err := m.Do("bad", func() (any, error) { return 8, nil }); err != nil || v.(int) != 8 {
		t.Errorf("after a failure the next load should run: %v %v", v, err)
	}
}
