package cart

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/id"
)

// memStore is a Store in memory: a catalog of variants and one cart per hash.
type memStore struct {
	variants map[string]Line
	carts    map[string][]Item
	bound    map[string]bool
}

func (m *memStore) Bind(_ context.Context, _, hash string, _ time.Time) error {
	if m.bound == nil {
		m.bound = map[string]bool{}
	}
	m.bound[hash] = true
	return nil
}

func (m *memStore) Bound(_ context.Context, _, hash string) (bool, error) { return m.bound[hash], nil }

func (m *memStore) Variants(_ context.Context, _ string, ids []string) ([]Line, error) {
	var out []Line
	for _, v := range ids {
		if l, ok := m.variants[v]; ok {
			out = append(out, l)
		}
	}
	return out, nil
}

func (m *memStore) Lines(_ context.Context, _, hash string) ([]Line, error) {
	var out []Line
	for _, it := range m.carts[hash] {
		l := m.variants[it.VariantID]
		l.Quantity = it.Quantity
		out = append(out, l)
	}
	return out, nil
}

func (m *memStore) SetQuantity(_ context.Context, _, hash, variantID string, qty int64, _ time.Time) error {
	items := slices.DeleteFunc(m.carts[hash], func(it Item) bool { return it.VariantID == variantID && qty == 0 })
	i := slices.IndexFunc(items, func(it Item) bool { return it.VariantID == variantID })
	switch {
	case qty == 0:
	case i >= 0:
		items[i].Quantity = qty
	default:
		items = append(items, Item{VariantID: variantID, Quantity: qty})
	}
	m.carts[hash] = items
	return nil
}

func (m *memStore) Clear(_ context.Context, _, hash string) error {
	delete(m.carts, hash)
	return nil
}

func (m *memStore) Replace(_ context.Context, _, hash string, items []Item, _ time.Time) error {
	m.carts[hash] = slices.Clone(items)
	return nil
}

// memMirror records the changes it is given; fail makes Apply fail.
type memMirror struct {
	changes []Change
	fail    bool
}

func (m *memMirror) Mirrors(ctx context.Context) bool {
	a, ok := access.ActorFrom(ctx)
	return ok && a.Role == access.RolePatient
}

func (m *memMirror) Apply(_ context.Context, _ string, c Change) error {
	if m.fail {
		return errors.New("mirror down")
	}
	m.changes = append(m.changes, c)
	return nil
}

func TestMerge(t *testing.T) {
	v := func(stock int64, active bool, currency string) Line {
		return Line{VariantID: id.New(), Stock: stock, Active: active, Currency: currency, Price: 100}
	}
	plenty, few, gone, withdrawn, euro, lots := v(500, true, "USD"), v(3, true, "USD"), v(0, true, "USD"), v(9, false, "USD"), v(9, true, "EUR"), v(500, true, "USD")
	ms := &memStore{variants: map[string]Line{}, carts: map[string][]Item{}}
	for _, l := range []Line{plenty, few, gone, withdrawn, euro, lots} {
		ms.variants[l.VariantID] = l
	}
	mirror := &memMirror{}
	s := NewService(ms, nil).Mirrored(mirror, slog.New(slog.DiscardHandler))
	token := NewToken()
	ms.carts[HashToken(token)] = []Item{{plenty.VariantID, 5}, {few.VariantID, 1}}
	ctx := access.WithActor(context.Background(), access.Actor{ID: id.New(), Role: access.RolePatient})

	saved := []Item{{lots.VariantID, 150}, {plenty.VariantID, 2}, {few.VariantID, 7}, {gone.VariantID, 1}, {withdrawn.VariantID, 1},
		{euro.VariantID, 1}, {"not-an-id", 3}, {id.New(), 1}}
	got, err := s.Merge(ctx, "t", token, saved)
	if err != nil {
		t.Fatal(err)
	}
	// The browser's lines first; the larger quantity; capped at stock and
	// MaxQuantity; sold out, withdrawn, unknown and other currencies dropped.
	want := []Item{{plenty.VariantID, 5}, {few.VariantID, 3}, {lots.VariantID, MaxQuantity}}
	if !slices.Equal(got, want) || !slices.Equal(ms.carts[HashToken(token)], want) {
		t.Fatalf("merged %v, want %v", got, want)
	}
	if len(mirror.changes) != 1 || !mirror.changes[0].Clear || !slices.Equal(mirror.changes[0].Set, want) {
		t.Fatalf("mirror got %v", mirror.changes)
	}
	// Again with what was saved: the same, and the mirror is left alone.
	if got, err := s.Merge(ctx, "t", token, want); err != nil || !slices.Equal(got, want) || len(mirror.changes) != 1 {
		t.Fatalf("second merge: %v %v, %d changes", got, err, len(mirror.changes))
	}

	// At most MaxLines lines.
	many := []Item{}
	for range MaxLines + 5 {
		l := v(10, true, "USD")
		ms.variants[l.VariantID] = l
		many = append(many, Item{l.VariantID, 1})
	}
	fresh := NewToken()
	if got, err := s.Merge(ctx, "t", fresh, many); err != nil || len(got) != MaxLines {
		t.Fatalf("many: %d %v", len(got), err)
	}

	// A failing mirror: the browser's cart is still written, the error returned.
	mirror.fail = true
	other := NewToken()
	if got, err := s.Merge(ctx, "t", other, []Item{{few.VariantID, 7}}); err == nil || len(got) != 1 || len(ms.carts[HashToken(other)]) != 1 {
		t.Fatalf("failing mirror: %v %v", got, err)
	}
	// ...and a change of the cart itself succeeds, the failure only logged.
	if err := s.Add(ctx, "t", other, plenty.VariantID, 1); err != nil {
		t.Fatalf("add with a failing mirror: %v", err)
	}
	mirror.fail = false

	// Without a patient in ctx nothing is mirrored.
	third := NewToken()
	n := len(mirror.changes)
	if err := s.Add(context.Background(), "t", third, plenty.VariantID, 1); err != nil || len(mirror.changes) != n {
		t.Fatalf("anonymous add mirrored: %v", err)
	}
	// With one: add (the new quantity), update, AddAll (one change), clear.
	if err := s.Add(ctx, "t", third, plenty.VariantID, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, "t", third, plenty.VariantID, 0); err != nil {
		t.Fatal(err)
	}
	added, err := s.AddAll(ctx, "t", third, []Item{{few.VariantID, 1}, {gone.VariantID, 1}, {lots.VariantID, 2}})
	if err != nil || added != 2 {
		t.Fatalf("add all: %d %v", added, err)
	}
	if err := s.Clear(ctx, "t", third); err != nil {
		t.Fatal(err)
	}
	got2 := mirror.changes[n:]
	if len(got2) != 4 || !slices.Equal(got2[0].Set, []Item{{plenty.VariantID, 2}}) || !slices.Equal(got2[1].Set, []Item{{plenty.VariantID, 0}}) ||
		!slices.Equal(got2[2].Set, []Item{{few.VariantID, 1}, {lots.VariantID, 2}}) || !got2[3].Clear || len(got2[3].Set) != 0 {
		t.Fatalf("mirrored changes: %+v", got2)
	}
	// Forget empties the browser's cart and tells the mirror nothing.
	if err := s.Forget(ctx, "t", token); err != nil || len(mirror.changes) != n+4 || len(ms.carts[HashToken(token)]) != 0 {
		t.Fatalf("forget: %v", err)
	}
}
