package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/vendors"
	"github.com/salvehealth/salve/internal/webhooks"
)

// pendingChange returns the pending change of kind on target.
func pendingChange(t *testing.T, s *testkit.Server, kind, target string) changes.Change {
	t.Helper()
	cs, err := s.Services().Changes.List(context.Background(), s.Tenant.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Kind == kind && c.Target == target && c.Status == changes.Pending {
			return c
		}
	}
	t.Fatalf("no pending %s of %s", kind, target)
	return changes.Change{}
}

// approvePending approves, over HTTP as the client (a second person), the
// pending change of kind on target.
func approvePending(t *testing.T, s *testkit.Server, c *http.Client, kind, target string) {
	t.Helper()
	ch := pendingChange(t, s, kind, target)
	if r, body := get(t, c, s.NewRequest(t, "POST", "/admin/compliance/changes/"+ch.ID+"/approve", url.Values{})); r.StatusCode != 200 ||
		!strings.Contains(body, "approved and is in effect") {
		t.Fatalf("approve %s of %s: %d", kind, target, r.StatusCode)
	}
}

// decide posts approve or reject of a change as the client.
func decide(t *testing.T, s *testkit.Server, c *http.Client, changeID, verb string) (*http.Response, string) {
	t.Helper()
	return get(t, c, s.NewRequest(t, "POST", "/admin/compliance/changes/"+changeID+"/"+verb, url.Values{"note": {"checked"}}))
}

// TestGovernedIntegrationsAndWebhooks: binding an integration to a vendor,
// adding a webhook and switching one off are each a request a second person
// approves (issue 19.3), on both engines. For each: the requester's own
// approval is refused (403) and changes nothing; a rejection changes
// nothing; a second person's approval applies it. The webhook's secret is
// never in a request or the record (masked), nor the token in its
// address's query; a new webhook sends nothing until approved.
func TestGovernedIntegrationsAndWebhooks(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e, func(c *config.Config) { c.WebhookLoopbackHTTP = true })
		ctx := context.Background()
		officer := s.NewPerson(t, access.RoleCompliance)
		comp, admin := s.ClientAs(t, officer), s.ClientAs(t, s.NewPerson(t, access.RoleAdmin))
		oc := access.WithActor(ctx, access.Actor{ID: officer.ID, Role: access.RoleCompliance, TenantID: s.Tenant.ID})
		now := s.Clock.Now()
		v, err := s.Services().Vendors.Add(oc, s.Tenant.ID, vendors.Input{Name: "Relay Co", Service: "email", Contact: "legal@relay.test",
			SignedOn: now.AddDate(0, -1, 0).Format(vendors.DateLayout), ExpiresOn: now.AddDate(1, 0, 0).Format(vendors.DateLayout)})
		if err != nil {
			t.Fatal(err)
		}
		vendorStore := store.NewVendors(s.Stores.PHI)
		boundTo := func() string {
			b, err := vendorStore.Bindings(ctx, s.Tenant.ID)
			if err != nil {
				t.Fatal(err)
			}
			return b["smtp"]
		}

		// Binding: no reason is refused and records nothing.
		if r, _ := get(t, comp, s.NewRequest(t, "POST", "/admin/compliance/integrations/smtp", url.Values{"vendor": {v.ID}})); r.StatusCode != 422 {
			t.Fatalf("bind without a reason: %d", r.StatusCode)
		}
		bindReq := func() changes.Change {
			t.Helper()
			if r, _ := get(t, comp, s.NewRequest(t, "POST", "/admin/compliance/integrations/smtp", url.Values{"vendor": {v.ID}, "reason": {"the relay signed"}})); r.StatusCode != 303 {
				t.Fatalf("bind: %d", r.StatusCode)
			}
			return pendingChange(t, s, vendors.KindBinding, "smtp")
		}
		ch := bindReq()
		if ch.After["vendor"] != v.ID || ch.After["vendor_name"] != "Relay Co" || ch.Before["vendor"] != "" || boundTo() != "" {
			t.Fatalf("bind request: before %v after %v, bound %q", ch.Before, ch.After, boundTo())
		}
		if r, _ := decide(t, s, comp, ch.ID, "approve"); r.StatusCode != 403 || boundTo() != "" {
			t.Fatalf("self-approval of a binding: %d, bound %q", r.StatusCode, boundTo())
		}
		if r, _ := decide(t, s, admin, ch.ID, "reject"); r.StatusCode != 200 || boundTo() != "" {
			t.Fatalf("rejected binding: %d, bound %q", r.StatusCode, boundTo())
		}
		bindReq()
		approvePending(t, s, admin, vendors.KindBinding, "smtp")
		if boundTo() != v.ID {
			t.Fatalf("approved binding: bound %q", boundTo())
		}

		// Adding a webhook: kept switched off until a second person approves.
		hooks := store.NewWebhooks(s.Stores.PHI)
		add := func(u string) (webhooks.Subscription, string) {
			t.Helper()
			r, body := get(t, admin, s.NewRequest(t, "POST", "/admin/compliance/webhooks", url.Values{"url": {u}, "events": {"order.paid"},
				"vendor": {v.ID}, "reason": {"orders to the warehouse"}}))
			secret := regexp.MustCompile(`whsec_[A-Za-z0-9_-]+`).FindString(body)
			if r.StatusCode != 200 || secret == "" || !strings.Contains(body, "switched off") {
				t.Fatalf("add webhook: %d", r.StatusCode)
			}
			subs, err := hooks.Subscriptions(ctx, s.Tenant.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, sub := range subs {
				if sub.URL == u {
					return sub, secret
				}
			}
			t.Fatalf("webhook %s not kept", u)
			return webhooks.Subscription{}, ""
		}
		if r, body := get(t, admin, s.NewRequest(t, "POST", "/admin/compliance/webhooks", url.Values{"url": {"https://hooks.test/x"}, "events": {"order.paid"},
			"vendor": {v.ID}})); r.StatusCode != 422 || !strings.Contains(body, "f-reason-error") {
			t.Fatalf("add without a reason: %d", r.StatusCode)
		}
		if subs, _ := hooks.Subscriptions(ctx, s.Tenant.ID); len(subs) != 0 {
			t.Fatalf("a refused add kept %d webhooks", len(subs))
		}
		active := func(id string) bool {
			sub, err := hooks.Subscription(ctx, s.Tenant.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			return sub.Active()
		}
		first, secret1 := add("http://127.0.0.1:19401/first?token=hunter2")
		ch = pendingChange(t, s, webhooks.KindSubscription, first.ID)
		if active(first.ID) {
			t.Fatal("a new webhook is on before approval")
		}
		if r, body := get(t, admin, s.NewRequest(t, "POST", "/admin/compliance/webhooks/"+first.ID+"/test", url.Values{})); r.StatusCode != 422 || !strings.Contains(body, "switched off") {
			t.Fatalf("send test before approval: %d", r.StatusCode)
		}
		if r, _ := decide(t, s, admin, ch.ID, "approve"); r.StatusCode != 403 || active(first.ID) {
			t.Fatalf("self-approval of a webhook: %d", r.StatusCode)
		}
		if r, _ := decide(t, s, comp, ch.ID, "reject"); r.StatusCode != 200 || active(first.ID) {
			t.Fatalf("rejected webhook: %d, on %v", r.StatusCode, active(first.ID))
		}
		second, secret2 := add("http://127.0.0.1:19402/second")
		approvePending(t, s, comp, webhooks.KindSubscription, second.ID)
		if !active(second.ID) {
			t.Fatal("an approved webhook is still off")
		}

		// Switching off: a request too.
		if r, _ := get(t, admin, s.NewRequest(t, "POST", "/admin/compliance/webhooks/"+second.ID+"/disable", url.Values{})); r.StatusCode != 422 || !active(second.ID) {
			t.Fatalf("switch off without a reason: %d", r.StatusCode)
		}
		off := func() changes.Change {
			t.Helper()
			if r, _ := get(t, admin, s.NewRequest(t, "POST", "/admin/compliance/webhooks/"+second.ID+"/disable", url.Values{"reason": {"warehouse moved"}})); r.StatusCode != 303 {
				t.Fatalf("switch off: %d", r.StatusCode)
			}
			return pendingChange(t, s, webhooks.KindSubscription, second.ID)
		}
		ch = off()
		if !active(second.ID) || ch.Before["state"] != "on" || ch.After["state"] != "off" {
			t.Fatalf("switch-off request: on %v, %v -> %v", active(second.ID), ch.Before, ch.After)
		}
		if r, _ := decide(t, s, admin, ch.ID, "approve"); r.StatusCode != 403 || !active(second.ID) {
			t.Fatalf("self-approval of switching off: %d", r.StatusCode)
		}
		if r, _ := decide(t, s, comp, ch.ID, "reject"); r.StatusCode != 200 || !active(second.ID) {
			t.Fatalf("rejected switch-off: %d", r.StatusCode)
		}
		off()
		approvePending(t, s, comp, webhooks.KindSubscription, second.ID)
		if active(second.ID) {
			t.Fatal("an approved switch-off left the webhook on")
		}

		// The record: before and after, the secret masked, the address's
		// token masked; no secret anywhere, on the page either.
		cs, err := s.Services().Changes.List(ctx, s.Tenant.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range cs {
			if c.Kind != webhooks.KindSubscription {
				continue
			}
			n++
			for _, m := range []map[string]string{c.Before, c.After, c.Payload} {
				for f, val := range m {
					if strings.Contains(val, secret1) || strings.Contains(val, secret2) || strings.Contains(val, "hunter2") || strings.Contains(val, "whsec_") {
						t.Errorf("change %s holds a secret in %s", c.ID, f)
					}
				}
			}
			if c.After["secret"] != changes.Mask {
				t.Errorf("change %s: secret shows %q, want the mask", c.ID, c.After["secret"])
			}
		}
		if n != 4 {
			t.Errorf("%d webhook changes recorded, want 4", n)
		}
		r, page := get(t, comp, s.NewRequest(t, "GET", "/admin/compliance/changes", nil))
		if r.StatusCode != 200 || !strings.Contains(page, "Outgoing webhook") || !strings.Contains(page, "Integration&#39;s vendor") ||
			strings.Contains(page, "hunter2") || strings.Contains(page, secret2) {
			t.Errorf("changes page: %d", r.StatusCode)
		}
	})
}
