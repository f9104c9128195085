package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/vendors"
	"github.com/salvehealth/salve/internal/webhooks"
)

// TestWebhookPHIFromDomains: a webhook approved to carry PHI (requested by
// the compliance officer, approved by an admin) to a vendor with a current
// BAA gets, for a real order paid and a real lab result released, the
// order's items and the result's test name and status; each was read by
// the delivery job through the services' audited reads.
func TestWebhookPHIFromDomains(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e, func(c *config.Config) { c.WebhookLoopbackHTTP = true })
		ctx := context.Background()
		comp := access.WithActor(ctx, access.Actor{ID: id.New(), Role: access.RoleCompliance, TenantID: s.Tenant.ID})
		admin := access.WithActor(ctx, access.Actor{ID: id.New(), Role: access.RoleAdmin, TenantID: s.Tenant.ID})
		now := s.Clock.Now()
		v, err := s.Services().Vendors.Add(comp, s.Tenant.ID, vendors.Input{Name: "Lab partner", Service: "events", Contact: "ops@lab.test",
			SignedOn: now.AddDate(0, -1, 0).Format(vendors.DateLayout), ExpiresOn: now.AddDate(1, 0, 0).Format(vendors.DateLayout)})
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		events := map[string]map[string]any{}
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			var p map[string]any
			_ = json.Unmarshal(b, &p)
			mu.Lock()
			events[r.Header.Get("Salve-Event")] = p
			mu.Unlock()
		}))
		defer recv.Close()
		hooks := s.Services().Webhooks
		if _, _, err := hooks.Subscribe(comp, s.Tenant.ID, webhooks.Input{URL: recv.URL, Events: []string{webhooks.OrderPaid, webhooks.ResultReleased},
			VendorID: v.ID, CarryPHI: true, Reason: "the partner fills and explains results"}, s.Services().Vendors); err != nil {
			t.Fatal(err)
		}
		cs, err := s.Services().Changes.List(ctx, s.Tenant.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(cs, func(c changes.Change) bool { return c.Kind == webhooks.KindCarryPHI })
		if i < 0 {
			t.Fatal("no request to carry PHI")
		}
		if _, err := s.Services().Changes.Approve(admin, s.Tenant.ID, cs[i].ID, ""); err != nil {
			t.Fatal(err)
		}
		p := &catalog.Product{Name: "Test Strips", Variants: []catalog.Variant{{SKU: "STRIP-1", Price: 1500, Stock: 5}}}
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
			t.Fatal(err)
		}
		patient := s.NewPerson(t, access.RolePatient)
		c := s.ClientAs(t, patient)
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/cart/items", url.Values{"variant": {p.Variants[0].ID}, "quantity": {"2"}})); r.StatusCode != 303 {
			t.Fatalf("add: %d", r.StatusCode)
		}
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/checkout/pay", url.Values{"name": {"Pat Doe"}, "line1": {"1 Main St"},
			"city": {"Springfield"}, "region": {"NY"}, "postal_code": {"10001"}, "shipping": {"express"}, "gateway": {"test"}})); r.StatusCode != 303 {
			t.Fatalf("pay: %d", r.StatusCode)
		}
		doc := s.NewPerson(t, access.RoleClinician)
		// An appointment makes the clinician the patient's (a care relationship).
		if _, err := demo.SeedAppointmentsFor(ctx, s.Services().Appointments, s.Clock, s.Tenant.ID, s.NewPerson(t, access.RoleStoreManager).ID, doc.ID, patient.ID); err != nil {
			t.Fatal(err)
		}
		dctx := access.WithActor(ctx, access.Actor{ID: doc.ID, Role: access.RoleClinician, TenantID: s.Tenant.ID})
		lab := demo.LabHistory(patient.ID, doc.ID, s.Clock.Now())[:1]
		if _, err := s.Services().Labs.EnterAll(dctx, s.Tenant.ID, lab); err != nil {
			t.Fatal(err)
		}
		if _, err := hooks.Deliver(ctx, 100); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		phiOf := func(ev string) map[string]any {
			m, _ := events[ev]["phi"].(map[string]any)
			return m
		}
		if got := phiOf(webhooks.OrderPaid); got == nil || got["items"] != "2 × Test Strips" {
			t.Errorf("order.paid: %v", events[webhooks.OrderPaid])
		}
		if got := phiOf(webhooks.ResultReleased); got == nil || got["test"] == "" || got["test"] == nil || got["status"] != "released" {
			t.Errorf("result.released: %v", events[webhooks.ResultReleased])
		}
		// Each read was the delivery job's, audited.
		recs, err := s.Stores.AuditLog.Find(ctx, audit.Query{TenantID: s.Tenant.ID, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, action := range []string{"order.read", "lab_report.read", "webhook.phi.disclose"} {
			if !slices.ContainsFunc(recs, func(r audit.Record) bool {
				return r.Action == action && strings.Contains(r.ActorID, "webhooks.deliver")
			}) {
				t.Errorf("no %s by the delivery job", action)
			}
		}
	})
}
