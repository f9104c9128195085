package shop_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

const webhookSecret = "whsec_salve_test"

// stripeEvent is a Checkout session event as Stripe sends it, signed with
// the webhook secret at the given time.
func stripeEvent(eventID, typ, orderID, status string, amount int64, at time.Time) ([]byte, string) {
	body := []byte(fmt.Sprintf(`{"id":%q,"object":"event","type":%q,"api_version":"2020-08-27","data":{"object":`+
		`{"id":"cs_test_1","object":"checkout.session","client_reference_id":%q,"payment_status":%q,"amount_total":%d,"currency":"usd","payment_intent":"pi_test_1"}}}`,
		eventID, typ, orderID, status, amount))
	sig := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: webhookSecret, Timestamp: at}).Header
	return body, sig
}

// TestStripeCheckout pays through Stripe's hosted Checkout (stripe-mock on
// loopback): the order waits in pending_payment with a "Pay now" link to
// Stripe's page, a signed webhook marks it paid once however often it comes,
// and a tampered, unsigned or wrong-amount event changes nothing. A session
// that expires cancels the order and gives its stock back.
func TestStripeCheckout(t *testing.T) {
	mock := testkit.StripeMock(t)
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e, func(c *config.Config) {
			c.PaymentGateways = []string{"test", "invoice", "stripe"}
			c.StripeSecretKey, c.StripeWebhookSecret, c.StripeAPIURL = "sk_test_123", webhookSecret, mock
		})
		ctx := context.Background()
		p := &catalog.Product{Name: "Insulin Pen Needles", Variants: []catalog.Variant{{SKU: "NEEDLE-1", Price: 4000, Stock: 5}}}
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
			t.Fatal(err)
		}
		stock := func() int64 {
			got, err := s.Catalog().PublicProduct(ctx, s.Tenant.ID, p.Slug)
			if err != nil {
				t.Fatal(err)
			}
			return got.Variants[0].Stock
		}
		patient := s.NewPerson(t, access.RolePatient)
		c := s.ClientAs(t, patient)
		place := func() string {
			t.Helper()
			if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/cart/items", map[string][]string{"variant": {p.Variants[0].ID}, "quantity": {"2"}})); r.StatusCode != 303 {
				t.Fatalf("add: %d", r.StatusCode)
			}
			r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/checkout/pay", with(address, "gateway", "stripe")))
			m := orderURL.FindStringSubmatch(r.Header.Get("Location"))
			if r.StatusCode != 303 || m == nil {
				t.Fatalf("pay: %d %s", r.StatusCode, r.Header.Get("Location"))
			}
			return m[1]
		}
		orderID := place()
		// Nothing charged yet: the order waits, its stock held, and its page
		// offers Stripe's page.
		_, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/account/orders/"+orderID, nil))
		if !strings.Contains(body, "Waiting for payment") || !strings.Contains(body, `href="/account/orders/`+orderID+`/pay"`) {
			t.Fatalf("pending order page:\n%s", body)
		}
		if stock() != 3 {
			t.Fatalf("stock %d, want 3 held", stock())
		}
		r, _ := testkit.Do(t, c, s.NewRequest(t, "GET", "/account/orders/"+orderID+"/pay", nil))
		if r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "http") {
			t.Fatalf("pay link: %d %q", r.StatusCode, r.Header.Get("Location"))
		}
		// Another patient cannot reach it.
		other := s.ClientAs(t, s.NewPerson(t, access.RolePatient))
		if r, _ := testkit.Do(t, other, s.NewRequest(t, "GET", "/account/orders/"+orderID+"/pay", nil)); r.StatusCode != 404 {
			t.Fatalf("another patient's pay link: %d", r.StatusCode)
		}

		// 2 × 40.00 + express 14.99 + NY 4 % of 80.00 = 98.19.
		post := func(body []byte, sig string) int {
			t.Helper()
			req, err := http.NewRequest("POST", s.URL+"/webhooks/stripe", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			if sig != "" {
				req.Header.Set("Stripe-Signature", sig)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		status := func(id string) orders.Status {
			o, err := s.Services().Orders.Get(access.WithActor(ctx, access.System("test", s.Tenant.ID)), s.Tenant.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			return o.Status
		}
		paid, sig := stripeEvent("evt_1", "checkout.session.completed", orderID, "paid", 9819, time.Now())
		// Tampered after signing, signed with another secret, unsigned, or
		// signed long ago: refused, nothing changes.
		tampered := bytes.Replace(paid, []byte(`"amount_total":9819`), []byte(`"amount_total":1`), 1)
		_, oldSig := stripeEvent("evt_1", "checkout.session.completed", orderID, "paid", 9819, time.Now().Add(-time.Hour))
		forged := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: paid, Secret: "whsec_attacker", Timestamp: time.Now()}).Header
		for name, tc := range map[string][2]string{"tampered": {string(tampered), sig}, "unsigned": {string(paid), ""},
			"stale": {string(paid), oldSig}, "another secret": {string(paid), forged}} {
			if code := post([]byte(tc[0]), tc[1]); code != 400 {
				t.Errorf("%s webhook: %d, want 400", name, code)
			}
		}
		// Signed, but for another amount: not paid; flagged for a person.
		wrong, wrongSig := stripeEvent("evt_2", "checkout.session.completed", orderID, "paid", 100, time.Now())
		if code := post(wrong, wrongSig); code != 200 {
			t.Fatalf("wrong amount: %d", code)
		}
		if got := status(orderID); got != orders.PendingPayment {
			t.Fatalf("after refused events the order is %s", got)
		}
		recs, err := s.Stores.AuditLog.Find(access.WithActor(ctx, access.System("test", s.Tenant.ID)), audit.Query{TenantID: s.Tenant.ID, Subject: patient.ID})
		if err != nil {
			t.Fatal(err)
		}
		flagged := false
		for _, r := range recs {
			flagged = flagged || (r.Action == "order.payment_mismatch" && r.Severity == audit.High)
		}
		if !flagged {
			t.Fatal("a payment of the wrong amount was not flagged in the audit log")
		}
		// The real event, three times: paid once, one email.
		for range 3 {
			if code := post(paid, sig); code != 200 {
				t.Fatalf("paid webhook: %d", code)
			}
		}
		if got := status(orderID); got != orders.Paid {
			t.Fatalf("after the webhook the order is %s", got)
		}
		sys := access.WithActor(ctx, access.System("test", s.Tenant.ID))
		mails, err := s.Services().Outbox.Recent(sys, s.Tenant.ID, 20)
		if err != nil {
			t.Fatal(err)
		}
		confirmations := 0
		for _, m := range mails {
			if m.To.Reveal() == patient.Email && strings.Contains(m.Subject, "confirmed") {
				confirmations++
			}
			if strings.Contains(m.Subject+m.Text.Reveal(), "Insulin") {
				t.Fatal("an order email names what was bought")
			}
		}
		if confirmations != 1 {
			t.Fatalf("%d confirmation emails, want 1", confirmations)
		}
		if stock() != 3 {
			t.Fatalf("stock %d after payment, want 3", stock())
		}
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "GET", "/account/orders/"+orderID+"/pay", nil)); r.StatusCode != 409 {
			t.Fatalf("pay link of a paid order: %d", r.StatusCode)
		}

		// A session that expires unpaid cancels its order and frees the stock.
		second := place()
		if stock() != 1 {
			t.Fatalf("stock %d, want 1 held", stock())
		}
		expired, expSig := stripeEvent("evt_3", "checkout.session.expired", second, "unpaid", 9819, time.Now())
		if code := post(expired, expSig); code != 200 {
			t.Fatalf("expired webhook: %d", code)
		}
		if got := status(second); got != orders.Cancelled || stock() != 3 {
			t.Fatalf("expired session: order %s, stock %d", got, stock())
		}
		// Paid anyway (a payment that crossed the expiry): refunded at once,
		// the order stays cancelled and its stock on sale.
		late, lateSig := stripeEvent("evt_4", "checkout.session.completed", second, "paid", 9819, time.Now())
		if code := post(late, lateSig); code != 200 {
			t.Fatalf("late payment webhook: %d", code)
		}
		recs, err = s.Stores.AuditLog.Find(sys, audit.Query{TenantID: s.Tenant.ID, Subject: patient.ID})
		if err != nil {
			t.Fatal(err)
		}
		refunded := false
		for _, r := range recs {
			refunded = refunded || (r.Action == "order.late_payment_refund" && r.ResourceID == second)
		}
		if got := status(second); !refunded || got != orders.Cancelled || stock() != 3 {
			t.Fatalf("late payment: refunded %v, order %s, stock %d", refunded, got, stock())
		}
	})
}
