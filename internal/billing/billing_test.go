package billing_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/billing"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/payment"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// env is billing on the order service on fresh stores, as the server wires
// it: the test gateway and invoices.
type env struct {
	*testkit.Stores
	Orders  *orders.Service
	Billing *billing.Service
	Catalog *catalog.Service
}

func newEnv(t *testing.T, e store.Engine) *env {
	t.Helper()
	st := testkit.NewStores(t, e)
	ord := orders.New(orders.Deps{Orders: store.NewOrders(st.PHI), Stock: store.NewStock(st.Catalog), Catalog: store.NewCarts(st.Catalog),
		Promotions: nil, Vault: st.Vault, Audit: st.AuditLog,
		Outbox:   outbox.New(store.NewOutbox(st.PHI), st.Vault, nil, st.Clock, nil),
		Contacts: func(_ context.Context, _, userID string) (string, error) { return userID + "@example.com", nil },
		Gateways: []payment.Gateway{payment.NewTest(), payment.Invoice{}}, Clock: st.Clock, Log: st.Log.Logger()})
	b := billing.New(billing.Deps{Orders: ord, Clock: st.Clock, Methods: map[string]string{"test": "Test card", "invoice": "Invoice"},
		Merchant: func(context.Context, string) (billing.Merchant, error) {
			return billing.Merchant{Name: "Acme Pharmacy", Address: "1 Apothecary Way, Springfield"}, nil
		}})
	return &env{Stores: st, Orders: ord, Billing: b, Catalog: catalog.NewService(store.NewCatalogRepo(st.Catalog), st.Clock)}
}

func (s *env) product(t *testing.T, name string, price int64, hsa bool) catalog.Variant {
	t.Helper()
	p := &catalog.Product{Name: name, HSAFSAEligible: hsa, Variants: []catalog.Variant{{SKU: "SKU-" + id.New()[24:], Price: price, Stock: 20}}}
	if err := s.Catalog.SaveProduct(context.Background(), s.Tenant.ID, p); err != nil {
		t.Fatal(err)
	}
	return p.Variants[0]
}

func (s *env) as(uid string, role access.Role) context.Context {
	return access.WithActor(context.Background(), access.Actor{ID: uid, Role: role, TenantID: s.Tenant.ID})
}

func (s *env) place(t *testing.T, uid, gateway string, items ...orders.ItemRef) *orders.Order {
	t.Helper()
	o, err := s.Orders.Place(s.as(uid, access.RolePatient), orders.PlaceRequest{TenantID: s.Tenant.ID, UserID: uid, Items: items,
		Address:  orders.Address{Name: "Pat Doe", Line1: "1 Main St", City: "Springfield", Region: "CA", PostalCode: "90001"},
		Shipping: "standard", Region: "CA", Gateway: gateway})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestStatementBalancesWithARefund: a paid order, an unpaid invoice and a
// refunded order make a statement whose balance due is the invoice only;
// the charges, payments and refunds each add up; another patient hears the
// NotFound of a missing record, and the widget names the balance.
func TestStatementBalancesWithARefund(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := newEnv(t, e)
		vit := s.product(t, "Vitamin D3", 1250, true)
		uid, other := id.New(), id.New()
		paidO := s.place(t, uid, "test", orders.ItemRef{VariantID: vit.ID, Quantity: 1})
		inv := s.place(t, uid, "invoice", orders.ItemRef{VariantID: vit.ID, Quantity: 2})
		ref := s.place(t, uid, "test", orders.ItemRef{VariantID: vit.ID, Quantity: 3})
		if paidO.Status != orders.Paid || inv.Status != orders.PendingPayment {
			t.Fatalf("statuses %s %s", paidO.Status, inv.Status)
		}
		if _, err := s.Orders.Advance(s.as(id.New(), access.RoleCustomerService), s.Tenant.ID, ref.ID, orders.StepRefund, orders.Links{}); err != nil {
			t.Fatal(err)
		}
		st, err := s.Billing.Statement(s.as(uid, access.RolePatient), s.Tenant.ID, uid)
		if err != nil {
			t.Fatal(err)
		}
		if st.Balance != inv.Total || st.Charged != paidO.Total+inv.Total+ref.Total || st.Paid != paidO.Total+ref.Total || st.Refunded != ref.Total {
			t.Fatalf("statement: balance %d charged %d paid %d refunded %d (orders %d %d %d)", st.Balance, st.Charged, st.Paid, st.Refunded,
				paidO.Total, inv.Total, ref.Total)
		}
		var sum int64
		kinds := map[billing.Kind]int{}
		for _, en := range st.Entries {
			sum += en.Amount
			kinds[en.Kind]++
		}
		if sum != st.Balance-st.Refunded || kinds[billing.Charge] != 3 || kinds[billing.Payment] != 2 || kinds[billing.Refund] != 1 {
			// A refund gives money back: charges minus payments is the
			// balance, and the refund line is money returned on top.
			t.Fatalf("entries sum %d, kinds %v", sum, kinds)
		}
		if len(st.Open) != 1 || st.Open[0].OrderID != inv.ID || st.Open[0].PayOnPage || st.LatestInvoice == nil {
			t.Fatalf("open %+v", st.Open)
		}
		if len(st.HSAYears) != 1 || st.HSAYears[0] != s.Clock.Now().Year() {
			t.Errorf("HSA years %v", st.HSAYears)
		}
		if _, err := s.Billing.Statement(s.as(other, access.RolePatient), s.Tenant.ID, uid); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another patient: %v", err)
		}
		if _, err := s.Billing.Receipt(s.as(other, access.RolePatient), s.Tenant.ID, paidO.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another patient's receipt: %v", err)
		}
		// Fulfillment reads orders but not billing.
		if _, err := s.Billing.Receipt(s.as(id.New(), access.RoleFulfillment), s.Tenant.ID, paidO.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("fulfillment: %v", err)
		}
		sm, err := s.Billing.Source().Summary(s.as(uid, access.RolePatient), s.Tenant.ID, uid)
		if err != nil || sm.Total != 1 || !strings.Contains(sm.Note, "due") || sm.Lines[0].Href != "/account/orders/"+inv.ID+"/receipt" {
			t.Errorf("widget %+v %v", sm, err)
		}
		rc, err := s.Billing.Receipt(s.as(uid, access.RolePatient), s.Tenant.ID, ref.ID)
		if err != nil || !rc.Paid || !rc.Refunded || rc.Method != "Test card" || rc.Merchant.Name != "Acme Pharmacy" {
			t.Errorf("receipt %+v %v", rc, err)
		}
	})
}

// TestHSAReceiptListsOnlyEligibleItems: an order of an eligible and an
// ineligible item gets an HSA/FSA receipt of the eligible one with its
// total; its PDF is a PDF that names the eligible item and not the other;
// the year's receipt leaves out the unpaid invoice.
func TestHSAReceiptListsOnlyEligibleItems(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := newEnv(t, e)
		strips := s.product(t, "Glucose Test Strips", 2999, true)
		candy := s.product(t, "Chocolate Truffles", 1500, false)
		uid := id.New()
		o := s.place(t, uid, "test", orders.ItemRef{VariantID: strips.ID, Quantity: 2}, orders.ItemRef{VariantID: candy.ID, Quantity: 1})
		s.place(t, uid, "invoice", orders.ItemRef{VariantID: strips.ID, Quantity: 5})
		ctx := s.as(uid, access.RolePatient)
		r, err := s.Billing.HSAOrder(ctx, s.Tenant.ID, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Items) != 1 || r.Items[0].Description != "Glucose Test Strips" || r.Total != 2*2999 || r.Patient != "Pat Doe" || r.Merchant.Name != "Acme Pharmacy" {
			t.Fatalf("receipt %+v", r)
		}
		var pdf bytes.Buffer
		if err := billing.WritePDF(&pdf, r); err != nil {
			t.Fatal(err)
		}
		b := pdf.String()
		if !strings.HasPrefix(b, "%PDF-") || !strings.Contains(b, "Glucose Test Strips") || !strings.Contains(b, "$59.98") || !strings.Contains(b, "Acme Pharmacy") {
			t.Fatalf("pdf lacks the eligible item, its total or the merchant (%d bytes)", pdf.Len())
		}
		if strings.Contains(b, "Chocolate") {
			t.Fatal("pdf names an ineligible item")
		}
		y, err := s.Billing.HSAYear(ctx, s.Tenant.ID, uid, s.Clock.Now().Year(), "Pat Doe")
		if err != nil || len(y.Items) != 1 || y.Total != 2*2999 {
			t.Fatalf("year %+v %v", y, err)
		}
		if _, err := s.Billing.HSAOrder(s.as(id.New(), access.RolePatient), s.Tenant.ID, o.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another patient: %v", err)
		}
	})
}
