package lists_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/lists"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestLists runs the list service on fresh stores: the wish list is made on
// first use, only variants for sale go on a list, Bought empties the wish
// list of what was bought and leaves shopping lists alone, names and items
// are sealed, and anyone but the owner gets the same NotFound.
func TestLists(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		st := testkit.NewStores(t, e)
		ctx, tid := context.Background(), st.Tenant.ID
		cat := catalog.NewService(store.NewCatalogRepo(st.Catalog), st.Clock)
		mk := func(name, status string) string {
			p := &catalog.Product{Name: name, Status: status, Variants: []catalog.Variant{{SKU: "SKU-" + id.New()[24:], Price: 1000, Stock: 10}}}
			if err := cat.SaveProduct(ctx, tid, p); err != nil {
				t.Fatal(err)
			}
			return p.Variants[0].ID
		}
		lancets, strips, gone := mk("Lancets", catalog.StatusActive), mk("Test Strips", catalog.StatusActive), mk("Old Gauze", catalog.StatusArchived)
		svc := lists.New(store.NewLists(st.PHI), store.NewCarts(st.Catalog), st.Vault, st.Clock)
		uid, other := id.New(), id.New()
		as := func(who string) context.Context {
			return access.WithActor(ctx, access.Actor{ID: who, Role: access.RolePatient, TenantID: tid})
		}
		me := as(uid)

		if all, err := svc.All(me, tid, uid); err != nil || len(all) != 0 {
			t.Fatalf("no lists yet: %v %v", all, err)
		}
		if err := svc.Add(me, tid, uid, lists.WishID, lancets, 2); err != nil {
			t.Fatal(err)
		}
		for name, v := range map[string]string{"unknown": id.New(), "withdrawn": gone} {
			if err := svc.Add(me, tid, uid, lists.WishID, v, 1); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("%s variant: %v", name, err)
			}
		}
		if err := svc.Add(me, tid, uid, lists.WishID, strips, 0); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("no quantity: %v", err)
		}
		if _, err := svc.Create(me, tid, uid, " "); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("empty name: %v", err)
		}
		monthly, err := svc.Create(me, tid, uid, "Monthly")
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{strips, lancets} {
			if err := svc.Add(me, tid, uid, monthly.ID, v, 3); err != nil {
				t.Fatal(err)
			}
		}
		if err := svc.Remove(me, tid, uid, monthly.ID, lancets); err != nil {
			t.Fatal(err)
		}
		all, err := svc.All(me, tid, uid)
		if err != nil || len(all) != 2 || all[0].Kind != lists.Wish || all[1].Name != "Monthly" ||
			!slices.Equal(all[0].Items, []lists.Item{{VariantID: lancets, Quantity: 2}}) ||
			!slices.Equal(all[1].Items, []lists.Item{{VariantID: strips, Quantity: 3}}) {
			t.Fatalf("lists: %+v %v", all, err)
		}
		// Sealed: neither the name nor a variant id is in the stored bytes.
		var name, items []byte
		if err := st.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT name_ct, items_ct FROM lists WHERE id = $1`, monthly.ID).Scan(&name, &items); err != nil ||
			bytes.Contains(name, []byte("Monthly")) || bytes.Contains(items, []byte(strips)) {
			t.Fatalf("a list in the clear, or missing: %v", err)
		}
		// Bought: the wish list loses the lancets, the shopping list keeps the strips.
		if err := svc.Bought(me, tid, uid, []string{lancets, strips}); err != nil {
			t.Fatal(err)
		}
		if w, err := svc.Get(me, tid, uid, lists.WishID); err != nil || len(w.Items) != 0 {
			t.Fatalf("wish list after buying: %+v %v", w, err)
		}
		if m, err := svc.Get(me, tid, uid, monthly.ID); err != nil || len(m.Items) != 1 {
			t.Fatalf("shopping list after buying: %+v %v", m, err)
		}
		// Nobody else reads or changes them; an unknown id is the same NotFound.
		for name, c := range map[string]context.Context{"other patient": as(other), "no actor": ctx} {
			if _, err := svc.Get(c, tid, uid, monthly.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s read a list: %v", name, err)
			}
			if err := svc.Add(c, tid, uid, monthly.ID, strips, 1); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s added to a list: %v", name, err)
			}
		}
		if _, err := svc.Get(as(other), tid, other, monthly.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another's list under one's own id: %v", err)
		}
		if _, err := svc.Get(me, tid, uid, id.New()); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown list: %v", err)
		}
	})
}
