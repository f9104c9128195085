package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestInvoicePayMatrix (issue 16, invoices paid later online) asks for the
// payment page of one patient's invoice order (GET /account/orders/{id}/pay,
// Stripe on stripe-mock) as every kind of person: the patient and a proxy
// granted billing are sent to the payment page; a proxy granted orders
// only, another patient and every staff role get exactly the 404 of a page
// that does not exist; another tenant's patient is sent to sign in.
func TestInvoicePayMatrix(t *testing.T) {
	mock := testkit.StripeMock(t)
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e, func(c *config.Config) {
			c.PaymentGateways = []string{"invoice", "stripe"}
			c.StripeSecretKey, c.StripeWebhookSecret, c.StripeAPIURL = "sk_test_123", "whsec_salve_test", mock
		})
		ctx := context.Background()
		p := &catalog.Product{Name: "Glucose Test Strips", Variants: []catalog.Variant{{SKU: "SKU-" + id.New()[24:], Price: 2999, Stock: 10}}}
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
			t.Fatal(err)
		}
		patient := s.NewPerson(t, access.RolePatient)
		withBilling, ordersOnly, other := s.NewPerson(t, access.RolePatient), s.NewPerson(t, access.RolePatient), s.NewPerson(t, access.RolePatient)
		asPatient := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		for who, scopes := range map[string][]string{withBilling.Email: {"billing"}, ordersOnly.Email: {"orders"}} {
			if err := s.Services().Grants.GrantProxy(asPatient, who, scopes); err != nil {
				t.Fatal(err)
			}
		}
		s.Services().After.Wait()
		o, err := s.Services().Orders.Place(asPatient, orders.PlaceRequest{TenantID: s.Tenant.ID, UserID: patient.ID,
			Items:    []orders.ItemRef{{VariantID: p.Variants[0].ID, Quantity: 2}},
			Address:  orders.Address{Name: "Pat Doe", Line1: "1 Main St", City: "Springfield", Region: "CA", PostalCode: "90001"},
			Shipping: "standard", Region: "CA", Gateway: "invoice"})
		if err != nil {
			t.Fatal(err)
		}
		other2 := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Pharmacy", Hostnames: []string{"other.test"},
			Theme: tenant.DefaultTheme, CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
		if err := store.NewTenants(s.Stores.Catalog).Create(ctx, other2); err != nil {
			t.Fatal(err)
		}
		people := map[string]testkit.Person{"patient": patient, "proxy with billing": withBilling, "proxy with orders only": ordersOnly,
			"other patient": other, "other tenant's patient": s.NewPersonIn(t, other2, access.RolePatient)}
		for _, r := range access.Roles {
			if r.Staff() {
				people[string(r)] = s.NewPerson(t, r)
			}
		}
		path := "/account/orders/" + o.ID + "/pay"
		for name, who := range people {
			c := s.ClientAs(t, who)
			_, notFound := get(t, c, s.NewRequest(t, "GET", "/no/such/page", nil))
			r, body := get(t, c, s.NewRequest(t, "GET", path, nil))
			switch {
			case who.TenantID == other2.ID:
				if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
					t.Errorf("%s × %s: %d, want the sign-in", path, name, r.StatusCode)
				}
			case name == "patient" || name == "proxy with billing":
				if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "http") {
					t.Errorf("%s × %s: %d %q, want the payment page", path, name, r.StatusCode, r.Header.Get("Location"))
				}
			default:
				if r.StatusCode != http.StatusNotFound || strip(body) != strip(notFound) {
					t.Errorf("%s × %s: %d, want the plain 404", path, name, r.StatusCode)
				}
			}
		}
		// Both payers got the one page: one attempt on record.
		sys := access.WithActor(ctx, access.System("test", s.Tenant.ID))
		if pg, err := store.NewInvoicePayments(s.Stores.PHI).Latest(sys, s.Tenant.ID, o.ID); err != nil || pg.Attempt != 1 {
			t.Errorf("payment pages: %+v %v, want one", pg, err)
		}
	})
}
