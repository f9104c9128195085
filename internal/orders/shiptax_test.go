package orders_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/shiptax"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestShippingAndTaxSettings: checkout quotes follow the tenant's stored
// settings on both engines. A rate change moves the next quote; free over a
// threshold; by weight; an Rx item exempt only where its region exempts
// it; a region in no zone is refused with a clear error; every change is
// audited, and a change whose audit fails is not made.
func TestShippingAndTaxSettings(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := newEnv(t, e)
		ctx := context.Background()
		mgr := access.WithActor(ctx, access.Actor{ID: "manager-1", Role: access.RoleStoreManager, TenantID: s.Tenant.ID})
		tid := s.Tenant.ID
		vit := product(t, s, "Vitamin D3", 1250, 50, false)
		rx := product(t, s, "Insulin Pen", 4000, 50, true)
		quote := func(region, method string, items ...orders.ItemRef) *orders.Quote {
			t.Helper()
			q, err := s.Orders.QuoteItems(ctx, tid, items, method, region, "")
			if err != nil {
				t.Fatalf("quote %s %s: %v", region, method, err)
			}
			return q
		}
		one := orders.ItemRef{VariantID: vit.ID, Quantity: 1}

		// The defaults quote as before these were settings: 4.99 standard,
		// CA at 7.25 %.
		if q := quote("CA", "standard", one); q.Shipping != 499 || q.Tax != 91 || q.Total != 1250+499+91 {
			t.Fatalf("default quote: %+v", q)
		}
		// Every state and territory is in the seeded table.
		st, err := s.ShipTax.Settings(ctx, tid)
		if err != nil || len(st.Tax) != 56 || len(st.ShipsTo()) != 56 {
			t.Fatalf("seeded regions: %d, ships to %d, %v", len(st.Tax), len(st.ShipsTo()), err)
		}

		// A rate change moves the next quote.
		if err := s.ShipTax.SaveRate(mgr, tid, shiptax.RateInput{Method: "standard", Zone: "us", Kind: "flat", Price: "6.00", FreeOver: "100"}); err != nil {
			t.Fatal(err)
		}
		if q := quote("CA", "standard", one); q.Shipping != 600 {
			t.Fatalf("after the rate change: shipping %d, want 600", q.Shipping)
		}
		// Free over the threshold (100.00): 8 × 12.50.
		if q := quote("CA", "standard", orders.ItemRef{VariantID: vit.ID, Quantity: 8}); q.Shipping != 0 {
			t.Fatalf("free over 100: shipping %d", q.Shipping)
		}
		if q := quote("CA", "standard", orders.ItemRef{VariantID: vit.ID, Quantity: 7}); q.Shipping != 600 {
			t.Fatalf("under 100: shipping %d", q.Shipping)
		}

		// By weight: 2.00 plus 1.50 per started kilogram; 3 × 400 g is
		// 1.2 kg, so two kilograms.
		if _, err := s.Stores.Catalog.Writer().Exec(`UPDATE variants SET weight_grams = 400 WHERE id = $1`, vit.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.ShipTax.SaveRate(mgr, tid, shiptax.RateInput{Method: "express", Zone: "us", Kind: "weight", Price: "2.00", PerKg: "1.50"}); err != nil {
			t.Fatal(err)
		}
		if q := quote("CA", "express", orders.ItemRef{VariantID: vit.ID, Quantity: 3}); q.Shipping != 200+2*150 || q.WeightGrams != 1200 {
			t.Fatalf("by weight: shipping %d, weight %d", q.Shipping, q.WeightGrams)
		}
		// A weight rate without a per-kilogram amount is refused per field.
		err = s.ShipTax.SaveRate(mgr, tid, shiptax.RateInput{Method: "express", Zone: "us", Kind: "weight", Price: "2.00"})
		if ae := apperr.As(err); ae == nil || ae.Fields["per_kg"] == "" {
			t.Fatalf("weight without per kg: %v", err)
		}

		// Rx items: exempt in CA by default; taxed in IL once IL stops
		// exempting them; a rate change moves the tax.
		both := []orders.ItemRef{one, {VariantID: rx.ID, Quantity: 1}}
		if q := quote("CA", "standard", both...); q.Tax != 91 {
			t.Fatalf("Rx exempt in CA: tax %d", q.Tax)
		}
		if err := s.ShipTax.SaveTaxRegion(mgr, tid, "IL", "1.5", false, false); err != nil {
			t.Fatal(err)
		}
		if q := quote("IL", "standard", both...); q.Tax != (5250*1500+50000)/100000 {
			t.Fatalf("Rx taxed in IL at 1.5 %%: tax %d", q.Tax)
		}
		if q := quote("CA", "standard", both...); q.Tax != 91 {
			t.Fatalf("CA unchanged: tax %d", q.Tax)
		}
		// A bad rate is refused with the field, and changes nothing.
		err = s.ShipTax.SaveTaxRegion(mgr, tid, "IL", "seven", true, false)
		if ae := apperr.As(err); ae == nil || ae.Fields["rate"] == "" {
			t.Fatalf("bad rate: %v", err)
		}
		if q := quote("IL", "standard", both...); q.Tax != 79 {
			t.Fatalf("IL after a refused change: tax %d", q.Tax)
		}

		// A region outside every zone cannot be shipped to: a zone of the
		// contiguous west, and the default zone removed.
		if err := s.ShipTax.SaveZone(mgr, tid, "us", "United States", "CA, OR, WA, IL"); err != nil {
			t.Fatal(err)
		}
		_, err = s.Orders.QuoteItems(ctx, tid, []orders.ItemRef{one}, "standard", "HI", "")
		if ae := apperr.As(err); ae == nil || !strings.Contains(ae.Fields["region"], "We do not ship to Hawaii") {
			t.Fatalf("HI outside every zone: %v", err)
		}
		// A region cannot be in two zones.
		err = s.ShipTax.SaveZone(mgr, tid, "west", "West", "CA")
		if ae := apperr.As(err); ae == nil || ae.Fields["regions"] == "" {
			t.Fatalf("CA in two zones: %v", err)
		}

		// Every change was audited, with the manager as actor.
		recs, err := s.AuditLog.Find(ctx, audit.Query{TenantID: tid, ActorID: "manager-1", Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, r := range recs {
			actions[r.Action]++
		}
		if actions["shipping.rate.save"] != 2 || actions["tax.region.save"] != 1 || actions["shipping.zone.save"] != 1 {
			t.Fatalf("audited: %v", actions)
		}

		// Fail closed: a change whose audit cannot be written is not made.
		broken := shiptax.New(store.NewShipTax(s.Stores.Catalog), failingAudit{}, s.Clock)
		err = broken.SaveTaxRegion(mgr, tid, "CA", "9", true, false)
		if !apperr.Is(err, apperr.Unavailable) {
			t.Fatalf("audit down: %v", err)
		}
		if q := quote("CA", "standard", one); q.Tax != 91 {
			t.Fatalf("CA changed without an audit event: tax %d", q.Tax)
		}
	})
}

// failingAudit is an audit log that cannot record.
type failingAudit struct{}

func (failingAudit) Append(context.Context, audit.Entry) error { return errors.New("audit store down") }
