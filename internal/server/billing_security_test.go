package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestBillingObjectMatrix (issue 16) opens one patient's receipts (the
// itemized receipt, the HSA/FSA receipt and its PDF) as every kind of
// person: the patient and a proxy granted billing read them; a proxy granted
// orders only, another patient and every staff role get exactly the 404 of
// a page that does not exist (receipts are pages of the patient's account);
// another tenant's patient is sent to sign in. The PDF is a PDF, kept by no
// cache, and its read is in the audit log as billing.read.
func TestBillingObjectMatrix(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		p := &catalog.Product{Name: "Glucose Test Strips", HSAFSAEligible: true,
			Variants: []catalog.Variant{{SKU: "SKU-" + id.New()[24:], Price: 2999, Stock: 10}}}
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
			Shipping: "standard", Region: "CA", Gateway: "test"})
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
		paths := []string{"/account/orders/" + o.ID + "/receipt", "/account/orders/" + o.ID + "/hsa-receipt", "/account/orders/" + o.ID + "/hsa-receipt.pdf"}
		for name, who := range people {
			c := s.ClientAs(t, who)
			_, notFound := get(t, c, s.NewRequest(t, "GET", "/no/such/page", nil))
			for _, path := range paths {
				r, body := get(t, c, s.NewRequest(t, "GET", path, nil))
				switch {
				case who.TenantID == other2.ID:
					if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
						t.Errorf("%s × %s: %d, want the sign-in", path, name, r.StatusCode)
					}
				case name == "patient" || name == "proxy with billing":
					if r.StatusCode != http.StatusOK || r.Header.Get("Cache-Control") != "no-store" {
						t.Errorf("%s × %s: %d %q, want it shown, kept by no cache", path, name, r.StatusCode, r.Header.Get("Cache-Control"))
					}
					if strings.HasSuffix(path, ".pdf") && (r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") ||
						!strings.Contains(body, "Glucose Test Strips")) {
						t.Errorf("%s × %s: %s, not the receipt as PDF", path, name, r.Header.Get("Content-Type"))
					}
				default:
					if r.StatusCode != http.StatusNotFound || strip(body) != strip(notFound) {
						t.Errorf("%s × %s: %d, want the plain 404", path, name, r.StatusCode)
					}
				}
			}
		}
		// Every read of the receipts was audited under the billing class.
		var n int
		if err := s.Stores.Audit.Reader().QueryRow(`SELECT count(*) FROM audit_events WHERE action = 'billing.read' AND outcome = 'allowed'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n < 2*len(paths) {
			t.Errorf("%d audited billing reads, want at least %d", n, 2*len(paths))
		}
	})
}
