package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
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

// TestGovernedBrandPolicies: the ways to pay offered and the break-glass
// policy change only through a request a second person approves (issue
// 19.3), on both engines. The brand page refuses to set them; a value the
// setting refuses (an unknown gateway, emergency access longer than 60
// minutes or a reason shorter than 20 characters) is refused when asked
// for and nothing is recorded; the requester's own approval is refused
// (403) and a rejection changes nothing; an approval applies at once:
// checkout offers the approved gateways, and the emergency access page
// and grant follow the approved policy.
func TestGovernedBrandPolicies(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		a, b := s.ClientAs(t, s.NewPerson(t, access.RoleAdmin)), s.ClientAs(t, s.NewPerson(t, access.RoleCompliance))
		gateways := func() string {
			var out []string
			for _, g := range s.Services().Orders.GatewaysFor(ctx, s.Tenant.ID) {
				out = append(out, g.Name())
			}
			return strings.Join(out, ",")
		}
		policy := func() (time.Duration, int) {
			tn, err := store.NewTenants(s.Stores.Catalog).ByID(ctx, s.Tenant.ID)
			if err != nil {
				t.Fatal(err)
			}
			return grants.Policy(tn)
		}
		before := gateways()
		if before != "test,invoice" && before != "invoice,test" {
			t.Fatalf("gateways to start with: %q", before)
		}
		ask := func(c *http.Client, key, value string) (*http.Response, string) {
			return get(t, c, s.NewRequest(t, "POST", "/admin/compliance/changes/policy", url.Values{"key": {key}, "value": {value}, "reason": {"policy review"}}))
		}
		count := func() int {
			cs, err := s.Services().Changes.List(ctx, s.Tenant.ID, 100)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, c := range cs {
				if c.Kind == changes.KindBrandPolicy {
					n++
				}
			}
			return n
		}

		// Not from the brand page; not with a value the setting refuses.
		if r, body := get(t, a, s.NewRequest(t, "POST", "/admin/brand/payment_gateways", url.Values{"value": {"invoice"}})); r.StatusCode != 400 || !strings.Contains(body, "approved request") || gateways() != before {
			t.Fatalf("the brand page set the gateways: %d", r.StatusCode)
		}
		for key, bad := range map[string]string{tenant.SetPaymentGateways: "bitcoin", tenant.SetBreakGlassMinutes: "90", tenant.SetBreakGlassReasonChars: "10"} {
			if r, body := ask(a, key, bad); r.StatusCode != 422 || !strings.Contains(body, "f-policy-"+key+"-error") {
				t.Errorf("%s=%s: %d (want 422 with the field's error)", key, bad, r.StatusCode)
			}
		}
		if r, _ := ask(a, "cancel_window_hours", "1"); r.StatusCode != 404 {
			t.Errorf("a policy not governed here: %d", r.StatusCode)
		}
		if n := count(); n != 0 {
			t.Fatalf("refused requests recorded %d changes", n)
		}

		// Gateways: self-approval refused, rejection changes nothing,
		// approval applies.
		if r, body := ask(a, tenant.SetPaymentGateways, "invoice"); r.StatusCode != 200 || !strings.Contains(body, "request is recorded") {
			t.Fatalf("ask for the gateways: %d", r.StatusCode)
		}
		ch := pendingChange(t, s, changes.KindBrandPolicy, tenant.SetPaymentGateways)
		if ch.Before[tenant.SetPaymentGateways] != "" || ch.After[tenant.SetPaymentGateways] != "invoice" {
			t.Fatalf("record: %v -> %v", ch.Before, ch.After)
		}
		if r, _ := decide(t, s, a, ch.ID, "approve"); r.StatusCode != 403 || gateways() != before {
			t.Fatalf("self-approval: %d, gateways %q", r.StatusCode, gateways())
		}
		if r, _ := decide(t, s, b, ch.ID, "reject"); r.StatusCode != 200 || gateways() != before {
			t.Fatalf("rejection: %d, gateways %q", r.StatusCode, gateways())
		}
		ask(a, tenant.SetPaymentGateways, "invoice")
		approvePending(t, s, b, changes.KindBrandPolicy, tenant.SetPaymentGateways)
		if gateways() != "invoice" {
			t.Fatalf("approved gateways: %q", gateways())
		}
		buyer := s.ClientAs(t, s.NewPerson(t, access.RolePatient))
		addToCart(t, s, buyer, 1)
		if r, body := get(t, buyer, s.NewRequest(t, "GET", "/checkout", nil)); r.StatusCode != 200 || !strings.Contains(body, `value="invoice"`) || strings.Contains(body, `value="test"`) {
			t.Fatalf("checkout after the approval: %d", r.StatusCode)
		}

		// Break-glass: 15 minutes, reasons of 40 characters at least.
		for _, p := range []struct{ key, v string }{{tenant.SetBreakGlassMinutes, "15"}, {tenant.SetBreakGlassReasonChars, "40"}} {
			was, wasN := policy()
			if r, _ := ask(b, p.key, p.v); r.StatusCode != 200 {
				t.Fatalf("ask %s: %d", p.key, r.StatusCode)
			}
			ch := pendingChange(t, s, changes.KindBrandPolicy, p.key)
			if r, _ := decide(t, s, b, ch.ID, "approve"); r.StatusCode != 403 {
				t.Fatalf("self-approval of %s: %d", p.key, r.StatusCode)
			}
			if d, n := policy(); d != was || n != wasN {
				t.Fatalf("%s before approval: %v %d", p.key, d, n)
			}
			if r, _ := decide(t, s, a, ch.ID, "reject"); r.StatusCode != 200 {
				t.Fatalf("reject %s: %d", p.key, r.StatusCode)
			}
			if d, n := policy(); d != was || n != wasN {
				t.Fatalf("%s after a rejection: %v %d", p.key, d, n)
			}
			ask(b, p.key, p.v)
			approvePending(t, s, a, changes.KindBrandPolicy, p.key)
		}
		if d, n := policy(); d != 15*time.Minute || n != 40 {
			t.Fatalf("approved break-glass policy: %v %d", d, n)
		}
		doc := s.ClientAs(t, s.NewPerson(t, access.RoleClinician))
		if r, body := get(t, doc, s.NewRequest(t, "GET", "/staff/break-glass", nil)); r.StatusCode != 200 ||
			!strings.Contains(body, "lasts 15 minutes") || !strings.Contains(body, "At least 40 characters") {
			t.Fatalf("break-glass page: %d", r.StatusCode)
		}
		patient := s.NewPerson(t, access.RolePatient)
		if r, body := get(t, doc, s.NewRequest(t, "POST", "/staff/break-glass", url.Values{"email": {patient.Email},
			"reason": {"patient collapsed, need allergies"}})); r.StatusCode != 422 || !strings.Contains(body, "Write at least 40 characters") {
			t.Fatalf("a 33-character reason under a 40-character policy: %d", r.StatusCode)
		}
	})
}
