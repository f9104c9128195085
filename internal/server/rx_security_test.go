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
	"github.com/salvehealth/salve/internal/rx"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestPrescriptionObjectMatrix opens one patient's prescription through
// every prescription route as every kind of person: the patient, a proxy
// with the rx scope and one without, another patient, every staff role, and
// a pharmacist of another tenant (sent to sign in, as the security matrix
// treats another tenant's session). Only the pharmacist of the tenant opens the
// staff pages and the paper; only the patient refills it (a proxy's cart is
// their own); everyone else gets exactly the 404 of a page that does not
// exist, as they see it.
func TestPrescriptionObjectMatrix(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		p := &catalog.Product{Name: "Zetapril 10 mg", RequiresPrescription: true,
			Variants: []catalog.Variant{{SKU: "SKU-" + id.New()[24:], Price: 1000, Stock: 10}}}
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
			t.Fatal(err)
		}
		patient := s.NewPerson(t, access.RolePatient)
		withRx, withoutRx, other := s.NewPerson(t, access.RolePatient), s.NewPerson(t, access.RolePatient), s.NewPerson(t, access.RolePatient)
		asPatient := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		for who, scopes := range map[string][]string{withRx.Email: {"rx"}, withoutRx.Email: {"orders"}} {
			if err := s.Services().Grants.GrantProxy(asPatient, who, scopes); err != nil {
				t.Fatal(err)
			}
		}
		s.Services().After.Wait()
		svc := s.Services().Rx
		pr, err := svc.Submit(asPatient, s.Tenant.ID, patient.ID, rx.Submission{File: []byte("%PDF-1.4\n%%EOF\n")})
		if err != nil {
			t.Fatal(err)
		}
		// Verified, so that Refill has something to refill; another upload
		// stays pending for the staff pages' form.
		asPharmacist := access.WithActor(ctx, access.Actor{ID: id.New(), Role: access.RolePharmacist, TenantID: s.Tenant.ID})
		if _, err := svc.Decide(asPharmacist, s.Tenant.ID, pr.ID, rx.Verification{Version: 1, Drug: "Zetapril", Strength: "10 mg", Quantity: 30,
			Refills: 1, Prescriber: "Dr Ana Rivera", IssuedOn: "2026-11-01", ExpiresOn: "2027-11-01", DaysSupply: 30, VariantID: p.Variants[0].ID}); err != nil {
			t.Fatal(err)
		}
		other2 := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Pharmacy", Hostnames: []string{"other.test"},
			Theme: tenant.DefaultTheme, CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
		if err := store.NewTenants(s.Stores.Catalog).Create(ctx, other2); err != nil {
			t.Fatal(err)
		}
		people := map[string]testkit.Person{"patient": patient, "proxy with rx": withRx, "proxy without rx": withoutRx, "other patient": other,
			"other tenant's pharmacist": s.NewPersonIn(t, other2, access.RolePharmacist)}
		for _, r := range access.Roles {
			if r.Staff() {
				people[string(r)] = s.NewPerson(t, r)
			}
		}
		type probe struct{ method, path, allowed string }
		probes := []probe{
			{"GET", "/staff/prescriptions/" + pr.ID, string(access.RolePharmacist)},
			{"GET", "/staff/prescriptions/" + pr.ID + "/document", string(access.RolePharmacist)},
			{"POST", "/account/prescriptions/" + pr.ID + "/refill", "patient"},
			// A decision by anyone but a pharmacist of the tenant; the
			// pharmacist's own is refused as decided already (a Conflict),
			// which is not what this matrix is about.
			{"POST", "/staff/prescriptions/" + pr.ID + "/reject", ""},
		}
		for name, who := range people {
			c := s.ClientAs(t, who)
			req := func(method, path string, form url.Values) *http.Request { return s.NewRequest(t, method, path, form) }
			_, notFound := get(t, c, req("GET", "/no/such/page", nil))
			for _, pb := range probes {
				var form url.Values
				if pb.method == "POST" {
					form = url.Values{"version": {"1"}, "reason": {"Not readable."}}
				}
				r, body := get(t, c, req(pb.method, pb.path, form))
				switch {
				case who.TenantID == other2.ID:
					// Their session is not one of this tenant: they are sent
					// to sign in, exactly as a visitor (the security matrix's
					// rule); on their own tenant the record does not exist
					// (rx TestWhoSeesPrescriptions).
					if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
						t.Errorf("%s %s × %s: %d %s, want the sign-in", pb.method, pb.path, name, r.StatusCode, r.Header.Get("Location"))
					}
				case name == pb.allowed:
					if r.StatusCode != http.StatusOK && r.StatusCode != http.StatusSeeOther {
						t.Errorf("%s %s × %s: %d, want it allowed", pb.method, pb.path, name, r.StatusCode)
					}
				case pb.allowed == "" && name == string(access.RolePharmacist):
					if r.StatusCode != http.StatusConflict {
						t.Errorf("%s %s × %s: %d, want the Conflict of a decided prescription", pb.method, pb.path, name, r.StatusCode)
					}
				default:
					if r.StatusCode != http.StatusNotFound || strip(body) != strip(notFound) {
						t.Errorf("%s %s × %s: %d %s, want the plain 404", pb.method, pb.path, name, r.StatusCode, r.Header.Get("Location"))
					}
				}
			}
		}
		got, err := svc.Get(asPatient, s.Tenant.ID, pr.ID)
		if err != nil || got.Status != rx.Verified || got.FillsLeft != 2 {
			t.Fatalf("the matrix changed the prescription: %v %+v", err, got)
		}
	})
}
