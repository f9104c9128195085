package catalog

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
)

// TestAdmissionTakesTurnsInOrder: with every slot taken, searches that come
// wait, and each freed slot goes to the one that has waited longest, never
// to a later arrival; one given up while waiting leaves the queue without a
// turn.
func TestAdmissionTakesTurnsInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := make(admission, 2)
		ctx := context.Background()
		for range 2 {
			if err := a.enter(ctx); err != nil {
				t.Fatal(err)
			}
		}
		var order []string
		got := make(chan string, 8)
		wait := func(name string, ctx context.Context) {
			go func() {
				if err := a.enter(ctx); err != nil {
					got <- name + ":" + err.Error()
					return
				}
				got <- name
			}()
			synctest.Wait() // it is blocked in the queue before the next comes
		}
		gone, giveUp := context.WithCancel(ctx)
		wait("first", ctx)
		wait("gives-up", gone)
		wait("second", ctx)
		wait("third", ctx)
		giveUp()
		synctest.Wait()
		order = append(order, <-got)
		for range 3 {
			a.leave()
			synctest.Wait()
			order = append(order, <-got)
		}
		want := []string{"gives-up:" + context.Canceled.Error(), "first", "second", "third"}
		if !slices.Equal(order, want) {
			t.Fatalf("turns: got %v, want %v", order, want)
		}
		if len(a) != 2 {
			t.Fatalf("slots taken: %d, want 2", len(a))
		}
		select {
		case g := <-got:
			t.Fatalf("a turn more than the slots freed: %s", g)
		default:
		}
		done, cancel := context.WithCancel(ctx)
		cancel()
		if err := a.enter(done); !errors.Is(err, context.Canceled) {
			t.Fatalf("enter with slots full and a context given up: %v", err)
		}
	})
}
