package savedcart_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/savedcart"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestSavedCart: changes apply to the owner's copy only, sealed; anyone else
// (another patient, staff, no actor) gets the same NotFound; a write from a
// stale read is refused by the store.
func TestSavedCart(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.NewStores(t, e)
		sc := savedcart.New(store.NewSavedCarts(s.PHI), s.Vault, s.Clock)
		tid := s.Tenant.ID
		type person struct {
			ID   string
			Role access.Role
		}
		as := func(p person) context.Context {
			return access.WithActor(context.Background(), access.Actor{ID: p.ID, Role: p.Role, TenantID: tid})
		}
		// The vault keys subjects by id: people need no account here.
		pat, other := person{id.New(), access.RolePatient}, person{id.New(), access.RolePatient}
		staff := person{id.New(), access.RolePharmacist}
		v1, v2, v3 := id.New(), id.New(), id.New()

		if items, err := sc.Get(as(pat), tid, pat.ID); err != nil || len(items) != 0 {
			t.Fatalf("nothing saved yet: %v %v", items, err)
		}
		steps := []struct {
			c    cart.Change
			want []cart.Item
		}{
			{cart.Change{Set: []cart.Item{{VariantID: v1, Quantity: 2}}}, []cart.Item{{VariantID: v1, Quantity: 2}}},
			{cart.Change{Set: []cart.Item{{VariantID: v2, Quantity: 500}, {VariantID: v1, Quantity: 3}}},
				[]cart.Item{{VariantID: v1, Quantity: 3}, {VariantID: v2, Quantity: cart.MaxQuantity}}},
			{cart.Change{Set: []cart.Item{{VariantID: v1, Quantity: 0}, {VariantID: v3, Quantity: 0}}}, []cart.Item{{VariantID: v2, Quantity: cart.MaxQuantity}}},
			{cart.Change{Clear: true, Set: []cart.Item{{VariantID: v3, Quantity: 1}}}, []cart.Item{{VariantID: v3, Quantity: 1}}},
		}
		for i, st := range steps {
			if err := sc.Apply(as(pat), tid, st.c); err != nil {
				t.Fatal(i, err)
			}
			if got, err := sc.Get(as(pat), tid, pat.ID); err != nil || !slices.Equal(got, st.want) {
				t.Fatalf("step %d: %v %v, want %v", i, got, err, st.want)
			}
		}
		if !sc.Mirrors(as(pat)) || sc.Mirrors(as(staff)) || sc.Mirrors(context.Background()) {
			t.Fatal("Mirrors: only patients")
		}
		// Sealed: the variant id is not in the stored bytes.
		var ct []byte
		if err := s.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT items_ct FROM saved_carts WHERE tenant_id = $1 AND user_id = $2`, tid, pat.ID).Scan(&ct); err != nil ||
			bytes.Contains(ct, []byte(v3)) {
			t.Fatalf("items_ct in the clear or missing: %v", err)
		}
		// Nobody else reads it.
		for name, ctx := range map[string]context.Context{"other patient": as(other), "staff": as(staff), "no actor": context.Background()} {
			if _, err := sc.Get(ctx, tid, pat.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s read the saved cart: %v", name, err)
			}
		}
		if err := sc.Apply(as(staff), tid, cart.Change{Clear: true}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("staff wrote a saved cart: %v", err)
		}
		// Another patient's change lands in their own cart.
		if err := sc.Apply(as(other), tid, cart.Change{Set: []cart.Item{{VariantID: v1, Quantity: 1}}}); err != nil {
			t.Fatal(err)
		}
		if got, _ := sc.Get(as(pat), tid, pat.ID); !slices.Equal(got, steps[len(steps)-1].want) {
			t.Fatalf("another patient's change reached this cart: %v", got)
		}
		// A write from a stale read is refused and changes nothing.
		rows := store.NewSavedCarts(s.PHI)
		r, err := rows.Get(context.Background(), tid, pat.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := rows.Put(context.Background(), tid, pat.ID, r.ItemsCT, r.Version, s.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		if err := rows.Put(context.Background(), tid, pat.ID, []byte("stale"), r.Version, s.Clock.Now()); !errors.Is(err, apperr.ErrStale) {
			t.Fatalf("stale write: %v", err)
		}
		if err := rows.Put(context.Background(), tid, pat.ID, []byte("stale"), 0, s.Clock.Now()); !errors.Is(err, apperr.ErrStale) {
			t.Fatalf("second first write: %v", err)
		}
		if got, err := sc.Get(as(pat), tid, pat.ID); err != nil || !slices.Equal(got, steps[len(steps)-1].want) {
			t.Fatalf("after stale writes: %v %v", got, err)
		}
		// Audited: reads and writes, as the patient, and the denials.
		var n int
		if err := s.Audit.Reader().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE actor_id = $1 AND action IN ('saved_cart.read', 'saved_cart.update')`,
			pat.ID).Scan(&n); err != nil || n < 8 {
			t.Fatalf("audited: %d %v", n, err)
		}
	})
}
