package orders_test

import (
	"context"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/payment"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/shiptax"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// env is the order service on fresh stores, with what tests look at: the
// catalog it sells from, its promotion codes and the demo's gateway, whose
// charges and refunds it counts.
type env struct {
	*testkit.Stores
	Orders  *orders.Service
	Catalog *catalog.Service
	Promos  *promo.Service
	Gateway *payment.Test
	// ShipTax are the shipping and tax settings orders are priced with.
	ShipTax *shiptax.Service
	// Links name the shop in status emails.
	Links orders.Links
}

// newEnv builds the order service on fresh stores of the engine, offering
// the test gateway and invoices, as the server wires it.
func newEnv(t testing.TB, e store.Engine) *env {
	t.Helper()
	return newEnvReturns(t, e, nil)
}

// newEnvReturns is newEnv with the return store passed through wrap (when
// not nil), for tests that step between its reads.
func newEnvReturns(t testing.TB, e store.Engine, wrap func(orders.ReturnStore) orders.ReturnStore) *env {
	t.Helper()
	st := testkit.NewStores(t, e)
	var returns orders.ReturnStore = store.NewReturns(st.PHI)
	if wrap != nil {
		returns = wrap(returns)
	}
	gw := payment.NewTest()
	promos := promo.NewService(store.NewPromotions(st.Catalog), st.Clock)
	st2 := shiptax.New(store.NewShipTax(st.Catalog), st.AuditLog, st.Clock)
	svc := orders.New(orders.Deps{ShipTax: st2, Orders: store.NewOrders(st.PHI), Stock: store.NewStock(st.Catalog), Catalog: store.NewCarts(st.Catalog),
		Promotions: promos, Vault: st.Vault, Audit: st.AuditLog,
		Outbox: outbox.New(store.NewOutbox(st.PHI), st.Vault, nil, st.Clock, nil),
		// Status emails go to an address made from the person's id.
		Contacts: func(_ context.Context, _, userID string) (string, error) { return userID + "@example.com", nil },
		Gateways: []payment.Gateway{gw, payment.Invoice{}}, Returns: returns, Clock: st.Clock, Log: st.Log.Logger()})
	return &env{Stores: st, Orders: svc, Catalog: catalog.NewService(store.NewCatalogRepo(st.Catalog), st.Clock), Promos: promos, Gateway: gw, ShipTax: st2,
		Links: orders.Links{Brand: st.Tenant.Name, BaseURL: "https://pharmacy.test"}}
}

// product saves an active product with one variant and returns the variant.
func product(t testing.TB, s *env, name string, price, stock int64, rx bool) catalog.Variant {
	t.Helper()
	p := &catalog.Product{Name: name, RequiresPrescription: rx,
		Variants: []catalog.Variant{{SKU: "SKU-" + id.New()[24:], Price: price, Stock: stock}}}
	if err := s.Catalog.SaveProduct(context.Background(), s.Tenant.ID, p); err != nil {
		t.Fatal(err)
	}
	return p.Variants[0]
}

func stockOf(t testing.TB, s *env, variantID string) int64 {
	t.Helper()
	var n int64
	if err := s.Stores.Catalog.Reader().QueryRow(`SELECT stock FROM variants WHERE id = $1`, variantID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// buyer returns a new patient's id and a context acting as them. The vault
// keys people by id, so an order needs no account.
func buyer(_ testing.TB, s *env, _ int) (context.Context, string) {
	uid := id.New()
	return access.WithActor(context.Background(), access.Actor{ID: uid, Role: access.RolePatient, TenantID: s.Tenant.ID}), uid
}

var home = orders.Address{Name: "Pat Doe", Line1: "1 Main St", City: "Springfield", Region: "CA", PostalCode: "90001"}

func place(s *env, ctx context.Context, uid, gateway string, items ...orders.ItemRef) (*orders.Order, error) {
	return s.Orders.Place(ctx, orders.PlaceRequest{TenantID: s.Tenant.ID, UserID: uid, Items: items, Address: home,
		Shipping: "standard", Region: "CA", Gateway: gateway, Brand: s.Links.Brand, BaseURL: s.Links.BaseURL})
}

func placeWith(s *env, ctx context.Context, uid, code string, items ...orders.ItemRef) (*orders.Order, error) {
	return s.Orders.Place(ctx, orders.PlaceRequest{TenantID: s.Tenant.ID, UserID: uid, Items: items, Address: home,
		Shipping: "standard", Region: "CA", Gateway: "test", PromoCode: code, Brand: s.Links.Brand, BaseURL: s.Links.BaseURL})
}
