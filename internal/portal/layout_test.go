package portal

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/clock"
)

// memStore is a Store in memory, for the rules that need no database (the
// SQL is tested through the HTTP tests on both engines).
type memStore struct {
	layouts map[string]Layout
	pinned  []string
	opens   map[string]int64
	fail    error
}

func (m *memStore) Layout(_ context.Context, _, userID string) (Layout, bool, error) {
	l, ok := m.layouts[userID]
	return l, ok, nil
}

func (m *memStore) SaveLayout(_ context.Context, _, userID string, l Layout, _ time.Time) error {
	m.layouts[userID] = l
	return nil
}
func (m *memStore) Pinned(context.Context, string) ([]string, error) { return m.pinned, nil }
func (m *memStore) Pin(_ context.Context, _ string, keys []string, _ string, _ time.Time) error {
	m.pinned = keys
	return nil
}

func (m *memStore) AddOpens(_ context.Context, opens []Open) error {
	if m.fail != nil {
		return m.fail
	}
	for _, o := range opens {
		m.opens[o.Key] += o.Opens
	}
	return nil
}
func (m *memStore) Opens(context.Context, string, string) (map[string]int64, error) {
	return m.opens, nil
}

func newTest() (*Service, *memStore, context.Context) {
	st := &memStore{layouts: map[string]Layout{}, opens: map[string]int64{}}
	s := New(Deps{Store: st, Clock: clock.NewFake(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))})
	ctx := access.WithActor(context.Background(), access.Actor{ID: "p1", Role: access.RolePatient, TenantID: "t1"})
	return s, st, ctx
}

// TestArrangeKeepsEveryWidgetOnce: a stored order with unknown, repeated or
// missing keys still yields every widget exactly once.
func TestArrangeKeepsEveryWidgetOnce(t *testing.T) {
	a := arrange([]string{"offer", "nope", "offer", "lists"}, []string{"lists", "nope"}, true)
	all := append(slices.Clone(a.Visible), a.Hidden...)
	slices.Sort(all)
	want := Keys()
	slices.Sort(want)
	if !slices.Equal(all, want) || a.Visible[0] != "offer" || !slices.Equal(a.Hidden, []string{"lists"}) {
		t.Fatalf("arrange: %+v", a)
	}
}

// TestArrangingIsForPatientsOnly: staff and a missing actor cannot keep a
// layout; an unknown key changes nothing.
func TestArrangingIsForPatientsOnly(t *testing.T) {
	s, st, ctx := newTest()
	staff := access.WithActor(context.Background(), access.Actor{ID: "s1", Role: access.RoleAdmin, TenantID: "t1"})
	for _, c := range []context.Context{context.Background(), staff} {
		if err := s.Hide(c, WidgetLabs); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("hide without a patient: %v", err)
		}
	}
	if err := s.Hide(ctx, "nope"); !apperr.Is(err, apperr.Invalid) || len(st.layouts) != 0 {
		t.Fatalf("unknown key: %v, %d layouts", err, len(st.layouts))
	}
	if err := s.Move(ctx, WidgetLabs, 2); !apperr.Is(err, apperr.Invalid) || len(st.layouts) != 0 {
		t.Fatalf("a move of two places: %v", err)
	}
	// At the edge a widget stays.
	if err := s.Move(ctx, WidgetOpenOrders, -1); err != nil {
		t.Fatal(err)
	}
	if got := st.layouts["p1"].Widgets; !slices.Equal(got, Keys()) {
		t.Fatalf("moved past the top: %v", got)
	}
}

// TestCountsAreKeptUntilWritten: a flush that fails keeps its counts for the
// next one; nothing is counted twice.
func TestCountsAreKeptUntilWritten(t *testing.T) {
	s, st, _ := newTest()
	for range 3 {
		s.Opened("t1", WidgetLists)
	}
	s.Opened("", WidgetLists) // no tenant: not counted
	st.fail = errors.New("database down")
	if err := s.Flush(context.Background()); err == nil {
		t.Fatal("a failed flush reported success")
	}
	s.Opened("t1", WidgetLists)
	st.fail = nil
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st.opens[WidgetLists] != 4 {
		t.Fatalf("opens: %d, want 4", st.opens[WidgetLists])
	}
}

// TestInsightsAreForStoreManagers: patients and other tenants' managers get
// the 404; a pin needs every widget in a distinct place.
func TestInsightsAreForStoreManagers(t *testing.T) {
	s, st, patient := newTest()
	if _, err := s.Insights(patient, "t1"); !apperr.Is(err, apperr.Denied) {
		t.Fatalf("patient: %v", err)
	}
	other := access.WithActor(context.Background(), access.Actor{ID: "m2", Role: access.RoleStoreManager, TenantID: "t2"})
	if _, err := s.Insights(other, "t1"); !apperr.Is(err, apperr.Denied) {
		t.Fatalf("another tenant's manager: %v", err)
	}
	mgr := access.WithActor(context.Background(), access.Actor{ID: "m1", Role: access.RoleStoreManager, TenantID: "t1"})
	places := map[string]int{}
	for i, k := range Keys() {
		places[k] = i + 1
	}
	places["extra"] = 3
	if err := s.Pin(mgr, "t1", places); !apperr.Is(err, apperr.Invalid) || st.pinned != nil {
		t.Fatalf("a pin with an unknown key: %v", err)
	}
	delete(places, "extra")
	places[WidgetOffer] = 1
	if err := s.Pin(mgr, "t1", places); !apperr.Is(err, apperr.Invalid) || st.pinned != nil {
		t.Fatalf("two widgets first: %v", err)
	}
}
