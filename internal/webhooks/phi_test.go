package webhooks_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/vendors"
	"github.com/salvehealth/salve/internal/webhooks"
	"github.com/salvehealth/salve/webhooksig"
)

// TestWebhookCarriesPHIOnlyWhenApprovedWithBAA: a compliance officer's
// request to carry PHI leaves the new webhook ids-only until a second person
// approves it; two admins alone cannot turn it on; once approved, with the
// vendor's BAA current, the signed body at a loopback receiver carries the
// event's PHI fields, read at sending and audited as a disclosure; the queue
// never holds them; when the BAA has expired nothing with PHI is sent (the
// refusal is recorded) and the PHI is not even read.
func TestWebhookCarriesPHIOnlyWhenApprovedWithBAA(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		ctx := context.Background()
		tenantID := en.st.Tenant.ID
		svc := en.service(2 * time.Second)
		var reads atomic.Int32
		svc.SetDetails(func(ctx context.Context, tenant, event string, ids map[string]string) (map[string]string, error) {
			reads.Add(1)
			if a, ok := access.ActorFrom(ctx); !ok || a.Role != access.RoleSystem || tenant != tenantID || event != webhooks.ResultReleased || ids["result_id"] == "" {
				t.Errorf("details asked by %+v for %s %s %v", a, tenant, event, ids)
			}
			return map[string]string{"test": "HbA1c", "status": "released"}, nil
		})
		chg := changes.New(store.NewChanges(en.st.PHI), en.st.AuditLog, en.st.Clock, svc.CarryPHIKind())
		svc.SetChanges(chg)
		other := func(r access.Role) context.Context {
			return access.WithActor(ctx, access.Actor{ID: id.New(), Role: r, TenantID: tenantID})
		}
		v := en.vendor(t, true)
		recv := newReceiver(t)
		sub, secret, err := svc.Subscribe(en.comp, tenantID, webhooks.Input{URL: recv.srv.URL, Events: []string{webhooks.ResultReleased},
			VendorID: v.ID, CarryPHI: true, Reason: "the lab partner needs the test name"}, en.vendors)
		if err != nil {
			t.Fatal(err)
		}
		list, err := chg.List(ctx, tenantID, 10)
		if err != nil || len(list) != 1 || list[0].Kind != webhooks.KindCarryPHI || list[0].Status != changes.Pending || list[0].Target != sub.ID {
			t.Fatalf("the request: %v %+v", err, list)
		}
		// Not approved yet: ids only.
		publish := func() map[string]any {
			t.Helper()
			n := len(recv.requests())
			if err := svc.Publish(ctx, tenantID, webhooks.ResultReleased, map[string]string{"result_id": id.New()}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Deliver(ctx, 10); err != nil {
				t.Fatal(err)
			}
			got := recv.requests()
			if len(got) == n {
				return nil
			}
			last := got[len(got)-1]
			if err := webhooksig.Verify([]byte(secret), last.header.Get(webhooksig.Header), last.body, en.st.Clock.Now()); err != nil {
				t.Fatalf("verify: %v", err)
			}
			var p map[string]any
			if err := json.Unmarshal(last.body, &p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		if p := publish(); p == nil || p["phi"] != nil || reads.Load() != 0 {
			t.Fatalf("unapproved: %v, %d reads", p, reads.Load())
		}
		// The requester cannot approve it.
		if _, err := chg.Approve(en.comp, tenantID, list[0].ID, ""); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("self-approval: %v", err)
		}
		// Two admins alone cannot turn PHI on: the change fails, nothing changes.
		req2, err := chg.Request(en.admin, tenantID, webhooks.KindCarryPHI, sub.ID, map[string]string{"carry_phi": "yes"}, "admins only")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := chg.Approve(other(access.RoleAdmin), tenantID, req2.ID, ""); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("two admins: %v", err)
		}
		if s, _ := store.NewWebhooks(en.st.PHI).Subscription(ctx, tenantID, sub.ID); s.CarryPHI {
			t.Fatal("two admins turned PHI on")
		}
		// An admin approves the compliance officer's request.
		if _, err := chg.Approve(en.admin, tenantID, list[0].ID, "BAA on file"); err != nil {
			t.Fatal(err)
		}
		p := publish()
		phi, _ := p["phi"].(map[string]any)
		if phi["test"] != "HbA1c" || phi["status"] != "released" || reads.Load() != 1 {
			t.Fatalf("approved with a current BAA: %v, %d reads", p, reads.Load())
		}
		// The queue holds ids only.
		rows, err := en.st.PHI.Reader().QueryContext(testkit.AllTenants(ctx), `SELECT payload FROM webhook_deliveries WHERE tenant_id = $1`, tenantID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var payload string
			if err := rows.Scan(&payload); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(payload, "HbA1c") {
				t.Fatalf("PHI stored in the queue: %s", payload)
			}
		}
		rows.Close()
		recs, err := en.st.AuditLog.Find(ctx, audit.Query{TenantID: tenantID, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(recs, func(r audit.Record) bool { return r.Action == "webhook.phi.disclose" && r.Severity == audit.High }) ||
			!slices.ContainsFunc(recs, func(r audit.Record) bool { return r.Action == "webhook.carry_phi" }) {
			t.Fatal("the disclosure or the approval is not audited")
		}
		// The BAA expires: nothing with PHI goes, and the PHI is not read.
		now := en.st.Clock.Now()
		if _, err := en.vendors.Update(en.comp, tenantID, v.ID, vendors.Input{Name: v.Name, Service: v.Service, Contact: v.Contact,
			SignedOn: now.AddDate(-2, 0, 0).Format(vendors.DateLayout), ExpiresOn: now.AddDate(0, 0, -1).Format(vendors.DateLayout)}); err != nil {
			t.Fatal(err)
		}
		before := len(recv.requests())
		if p := publish(); p != nil || len(recv.requests()) != before || reads.Load() != 1 {
			t.Fatalf("expired BAA: sent %v, %d reads", p, reads.Load())
		}
		o, err := en.vendors.Overview(en.comp, tenantID)
		if err != nil || len(o.Refusals) == 0 || o.Refusals[0].Integration != vendors.Webhooks {
			t.Fatalf("refusal not shown: %v %+v", err, o.Refusals)
		}
	})
}
