package server_test

import (
	"context"
	"net/http"
	"net/url"
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

// TestReturnObjectsAnswerLikeAbsence (issue 18 point 2): a patient's
// delivered order and its return, as every kind of person. The return form
// and its POST: the owner reaches them; a proxy granted orders, another
// patient and every staff role get exactly the 404 of a page that does not
// exist, and no return is made; another tenant's patient is sent to sign
// in. A return step: customer service approves (303); pharmacists and
// fulfillment may see the order but not approve (403, nothing changes);
// every other role and patients get the 404; the return under another
// order's id, a made-up return id and another tenant's admin get the 404.
func TestReturnObjectsAnswerLikeAbsence(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		p := &catalog.Product{Name: "Heating Pad", Variants: []catalog.Variant{{SKU: "SKU-" + id.New()[24:], Price: 2500, Stock: 10}}}
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
			t.Fatal(err)
		}
		patient, proxy, other := s.NewPerson(t, access.RolePatient), s.NewPerson(t, access.RolePatient), s.NewPerson(t, access.RolePatient)
		asPatient := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		if err := s.Services().Grants.GrantProxy(asPatient, proxy.Email, []string{"orders"}); err != nil {
			t.Fatal(err)
		}
		s.Services().After.Wait()
		svc := s.Services().Orders
		deliver := func() *orders.Order {
			o, err := svc.Place(asPatient, orders.PlaceRequest{TenantID: s.Tenant.ID, UserID: patient.ID,
				Items:    []orders.ItemRef{{VariantID: p.Variants[0].ID, Quantity: 2}},
				Address:  orders.Address{Name: "Pat Doe", Line1: "1 Main St", City: "Springfield", Region: "CA", PostalCode: "90001"},
				Shipping: "standard", Region: "CA", Gateway: "test"})
			if err != nil {
				t.Fatal(err)
			}
			ful := access.WithActor(ctx, access.Actor{ID: id.New(), Role: access.RoleFulfillment, TenantID: s.Tenant.ID})
			if _, err := svc.Advance(ful, s.Tenant.ID, o.ID, orders.StepPrepare, orders.Links{}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Ship(ful, s.Tenant.ID, o.ID, orders.Shipment{Carrier: "ups", Tracking: "1Z999AA10123456784"}, orders.Links{}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Advance(ful, s.Tenant.ID, o.ID, orders.StepDeliver, orders.Links{}); err != nil {
				t.Fatal(err)
			}
			return o
		}
		o, o2 := deliver(), deliver()
		ret, err := svc.RequestReturn(asPatient, s.Tenant.ID, o.ID, orders.ReturnRequest{Quantities: map[int]int64{0: 1}, Reason: "Too warm"})
		if err != nil {
			t.Fatal(err)
		}
		otherT := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Pharmacy", Hostnames: []string{"other.test"},
			Theme: tenant.DefaultTheme, CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
		if err := store.NewTenants(s.Stores.Catalog).Create(ctx, otherT); err != nil {
			t.Fatal(err)
		}
		people := map[string]testkit.Person{"proxy": proxy, "other patient": other, "other tenant's patient": s.NewPersonIn(t, otherT, access.RolePatient),
			"other tenant's admin": s.NewPersonIn(t, otherT, access.RoleAdmin)}
		for _, r := range access.Roles {
			if r.Staff() {
				people[string(r)] = s.NewPerson(t, r)
			}
		}
		form := url.Values{"qty-0": {"1"}, "reason": {"Changed my mind"}}
		formPath := "/account/orders/" + o.ID + "/return"
		approve := "/staff/orders/" + o.ID + "/returns/" + ret.ID + "/approve"
		for name, who := range people {
			c := s.ClientAs(t, who)
			_, notFound := get(t, c, s.NewRequest(t, "GET", "/no/such/page", nil))
			for _, req := range []*http.Request{s.NewRequest(t, "GET", formPath, nil), s.NewRequest(t, "POST", formPath, form)} {
				r, body := get(t, c, req)
				switch {
				case who.TenantID == otherT.ID:
					if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
						t.Errorf("%s %s × %s: %d, want the sign-in", req.Method, formPath, name, r.StatusCode)
					}
				case r.StatusCode != http.StatusNotFound || (who.TenantID != otherT.ID && strip(body) != strip(notFound)):
					t.Errorf("%s %s × %s: %d, want the plain 404", req.Method, formPath, name, r.StatusCode)
				}
			}
			if who.Role == access.RoleCustomerService && who.TenantID == s.Tenant.ID {
				continue // below, once the others have tried
			}
			r, body := get(t, c, s.NewRequest(t, "POST", approve, url.Values{}))
			switch {
			case who.TenantID == s.Tenant.ID && (who.Role == access.RolePharmacist || who.Role == access.RoleFulfillment):
				if r.StatusCode != http.StatusForbidden {
					t.Errorf("approve × %s: %d, want 403", name, r.StatusCode)
				}
			case who.TenantID == otherT.ID:
				if r.StatusCode != http.StatusNotFound && r.StatusCode != http.StatusSeeOther {
					t.Errorf("approve × %s: %d, want 404 or the sign-in", name, r.StatusCode)
				}
			case r.StatusCode != http.StatusNotFound || strip(body) != strip(notFound):
				t.Errorf("approve × %s: %d, want the plain 404", name, r.StatusCode)
			}
		}
		// The owner's form, and nothing was made by anyone else.
		pc := s.ClientAs(t, patient)
		if r, body := get(t, pc, s.NewRequest(t, "GET", formPath, nil)); r.StatusCode != http.StatusOK || !strings.Contains(body, "qty-0") {
			t.Fatalf("owner's form: %d", r.StatusCode)
		}
		full, err := svc.Get(asPatient, s.Tenant.ID, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rets, err := svc.Returns(asPatient, s.Tenant.ID, full); err != nil || len(rets) != 1 || rets[0].Status != orders.ReturnRequested {
			t.Fatalf("returns after the matrix: %d %v %+v", len(rets), err, rets[0])
		}
		cs := s.ClientAs(t, s.NewPerson(t, access.RoleCustomerService))
		_, notFound := get(t, cs, s.NewRequest(t, "GET", "/no/such/page", nil))
		for _, path := range []string{"/staff/orders/" + o2.ID + "/returns/" + ret.ID + "/approve", "/staff/orders/" + o.ID + "/returns/" + id.New() + "/approve"} {
			if r, body := get(t, cs, s.NewRequest(t, "POST", path, url.Values{})); r.StatusCode != http.StatusNotFound || strip(body) != strip(notFound) {
				t.Errorf("%s: %d, want the plain 404", path, r.StatusCode)
			}
		}
		if r, _ := get(t, cs, s.NewRequest(t, "POST", approve, url.Values{})); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("customer service approving: %d", r.StatusCode)
		}
		// The returns queue: the order's reference and the status, nothing
		// bought; a patient gets the 404.
		r, body := get(t, cs, s.NewRequest(t, "GET", "/staff/orders/returns", nil))
		if r.StatusCode != http.StatusOK || !strings.Contains(body, full.Reference) || !strings.Contains(body, "Approved") || strings.Contains(body, "Heating Pad") {
			t.Fatalf("returns queue: %d", r.StatusCode)
		}
		if r, _ := get(t, pc, s.NewRequest(t, "GET", "/staff/orders/returns", nil)); r.StatusCode != http.StatusNotFound {
			t.Fatalf("returns queue as the patient: %d", r.StatusCode)
		}
	})
}
