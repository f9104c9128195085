package promo_test

import (
	"context"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestServiceStoresValidCodes: the service validates before it stores, a
// code taken in the tenant is refused on the code field, a code is found
// however it is typed, and the list is newest first.
func TestServiceStoresValidCodes(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		st := testkit.NewStores(t, e)
		svc := promo.NewService(store.NewPromotions(st.Catalog), st.Clock)
		ctx, tid := context.Background(), st.Tenant.ID
		if err := svc.Create(ctx, &promo.Promotion{TenantID: tid, Code: "x", Kind: "bogus"}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("bad promotion: %v", err)
		}
		first := &promo.Promotion{TenantID: tid, Code: " spring10 ", Kind: promo.Percent, Value: 10, StartsAt: st.Clock.Now()}
		if err := svc.Create(ctx, first); err != nil || first.ID == "" || first.CreatedAt.IsZero() {
			t.Fatalf("create: %+v %v", first, err)
		}
		st.Clock.Advance(time.Minute)
		if err := svc.Create(ctx, &promo.Promotion{TenantID: tid, Code: "FIVE", Kind: promo.Fixed, Value: 500, Currency: "USD",
			StartsAt: st.Clock.Now()}); err != nil {
			t.Fatal(err)
		}
		err := svc.Create(ctx, &promo.Promotion{TenantID: tid, Code: "Spring10", Kind: promo.Percent, Value: 5, StartsAt: st.Clock.Now()})
		if ae := apperr.As(err); ae == nil || ae.Code != apperr.Invalid || ae.Fields["code"] == "" {
			t.Fatalf("a taken code: %v", err)
		}
		if p, err := svc.ByCode(ctx, tid, "spring10 "); err != nil || p.ID != first.ID || p.Code != "SPRING10" {
			t.Fatalf("by code: %+v %v", p, err)
		}
		if _, err := svc.ByCode(ctx, tid, "NOPE"); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("unknown code: %v", err)
		}
		list, err := svc.List(ctx, tid)
		if err != nil || len(list) != 2 || list[0].Code != "FIVE" || list[1].Code != "SPRING10" {
			t.Fatalf("list: %+v %v", list, err)
		}
	})
}
