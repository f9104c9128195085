package demo

import (
	"context"
	"fmt"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
)

// SeedOrders gives the demo patient their billing history (issue 16) unless
// they have orders already: two paid orders with HSA/FSA-eligible items
// beside items that are not (one delivered, one being prepared), and one
// open invoice. It runs once the demo accounts and catalog exist.
func SeedOrders(ctx context.Context, catalogDB, phiDB *store.DB, cat *catalog.Service, ord *orders.Service) error {
	t, err := store.NewTenants(catalogDB).BySlug(ctx, TenantSlug)
	if err != nil {
		return err
	}
	users := store.NewUsers(phiDB)
	first := func(role access.Role) (string, error) {
		us, err := users.List(ctx, t.ID, role, 1)
		if err != nil {
			return "", err
		}
		if len(us) == 0 {
			return "", fmt.Errorf("demo orders: no demo %s", role)
		}
		return us[0].ID, nil
	}
	patient, err := first(access.RolePatient)
	if err != nil {
		return err
	}
	staff, err := first(access.RoleFulfillment)
	if err != nil {
		return err
	}
	pat := access.WithActor(ctx, access.Actor{ID: patient, Role: access.RolePatient, TenantID: t.ID})
	if list, err := ord.List(pat, t.ID, patient); err != nil || len(list) > 0 {
		return err // made on an earlier run
	}
	_, err = SeedOrdersFor(ctx, cat, ord, t.ID, patient, staff)
	return err
}

// SeedOrdersFor places the demo's orders for a patient in a tenant whose
// catalog is the demo's (SeedCatalog): GlucoSure Test Strips (HSA/FSA) with
// Melatonin (not eligible), paid and delivered by fulfillmentID; Vitamin D3
// (HSA/FSA) with a Blood Sugar Log Book (not eligible), paid; and Vitamin C
// (HSA/FSA) by invoice, unpaid. It returns the order ids in that order. The
// browser tests seed their pages with it.
func SeedOrdersFor(ctx context.Context, cat *catalog.Service, ord *orders.Service, tenantID, patientID, fulfillmentID string) ([]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	all, err := cat.AllProducts(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	variant := func(name string) (string, error) {
		for _, p := range all {
			if p.Name != name {
				continue
			}
			for _, v := range p.Variants {
				if v.Stock > 2 {
					return v.ID, nil
				}
			}
		}
		return "", fmt.Errorf("demo orders: no %s in stock", name)
	}
	pat := access.WithActor(ctx, access.Actor{ID: patientID, Role: access.RolePatient, TenantID: tenantID})
	ful := access.WithActor(ctx, access.Actor{ID: fulfillmentID, Role: access.RoleFulfillment, TenantID: tenantID})
	home := orders.Address{Name: "Demo Patient", Line1: "100 Health Avenue", Line2: "Apt 4B", City: "New York", Region: "NY", PostalCode: "10001"}
	plan := []struct {
		gateway string
		items   map[string]int64
		steps   []orders.Step
	}{
		{"test", map[string]int64{"GlucoSure Test Strips": 2, "Melatonin 3 mg": 1}, []orders.Step{orders.StepPrepare, orders.StepShip, orders.StepDeliver}},
		{"test", map[string]int64{"Vitamin D3 1000 IU": 1, "Blood Sugar Log Book": 1}, nil},
		{"invoice", map[string]int64{"Vitamin C 500 mg": 2}, nil},
	}
	var ids []string
	for _, p := range plan {
		var items []orders.ItemRef
		for name, qty := range p.items {
			v, err := variant(name)
			if err != nil {
				return nil, err
			}
			items = append(items, orders.ItemRef{VariantID: v, Quantity: qty})
		}
		o, err := ord.Place(pat, orders.PlaceRequest{TenantID: tenantID, UserID: patientID, Items: items, Address: home,
			Shipping: "standard", Region: home.Region, Gateway: p.gateway, Brand: "Salve Demo Pharmacy"})
		if err != nil {
			return nil, fmt.Errorf("demo order: %w", err)
		}
		for _, st := range p.steps {
			var err error
			if st == orders.StepShip {
				// Shipped with a carrier and a (made-up) tracking number,
				// so the order page shows the tracking link.
				_, err = ord.Ship(ful, tenantID, o.ID, orders.Shipment{Carrier: "usps", Tracking: "9400100000000000000001"}, orders.Links{})
			} else {
				_, err = ord.Advance(ful, tenantID, o.ID, st, orders.Links{})
			}
			if err != nil {
				return nil, fmt.Errorf("demo order %s: %w", st, err)
			}
		}
		ids = append(ids, o.ID)
	}
	return ids, nil
}
