package stripe_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/salvehealth/salve/internal/payment"
	"github.com/salvehealth/salve/internal/payment/stripe"
	"github.com/salvehealth/salve/internal/testkit"
)

// recorder keeps what Salve sends to Stripe.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
	body []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var b []byte
	if req.Body != nil {
		b, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	r.mu.Lock()
	r.reqs, r.body = append(r.reqs, req), append(r.body, string(b))
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func TestStripeCheckoutRefundAndWebhooks(t *testing.T) {
	api := testkit.StripeMock(t)
	rec := &recorder{}
	const secret = "whsec_test_secret"
	s, err := stripe.New(stripe.Config{SecretKey: "sk_test_123", WebhookSecret: secret, APIURL: api,
		HTTPClient: &http.Client{Transport: rec, Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	h, err := s.StartCheckout(ctx, payment.Request{IdempotencyKey: "0190f0e2-aaaa-7bbb-8ccc-123456789abc", Reference: "A1B2-C3D4",
		Amount: 9819, Currency: "USD"}, "https://shop.example/checkout/done", "https://shop.example/cart")
	if err != nil {
		t.Fatal(err)
	}
	if h.ID == "" {
		t.Fatalf("no session: %+v", h)
	}
	// What Stripe was told: the order and the amount, nothing bought.
	form, err := url.ParseQuery(rec.body[0])
	if err != nil {
		t.Fatal(err)
	}
	if rec.reqs[0].Header.Get("Idempotency-Key") != "checkout-0190f0e2-aaaa-7bbb-8ccc-123456789abc" {
		t.Fatalf("idempotency key %q", rec.reqs[0].Header.Get("Idempotency-Key"))
	}
	if form.Get("line_items[0][price_data][product_data][name]") != "Order A1B2-C3D4" || form.Get("line_items[0][price_data][unit_amount]") != "9819" {
		t.Fatalf("line item: %v", form)
	}
	for k := range form {
		allowed := strings.HasPrefix(k, "line_items[0][") || k == "mode" || k == "success_url" || k == "cancel_url" ||
			k == "client_reference_id" || k == "expires_at" || k == "metadata[order_id]" || k == "metadata[order_reference]" ||
			k == "payment_intent_data[metadata][order_id]" || k == "payment_intent_data[metadata][order_reference]"
		if !allowed {
			t.Errorf("Salve sent Stripe %s", k)
		}
	}
	// The session can be read back by reconciliation.
	if c, err := s.Check(ctx, payment.Lookup{OrderID: "0190f0e2-aaaa-7bbb-8ccc-123456789abc", ChargeID: h.ID}); err != nil || c.Paid {
		t.Fatalf("check: %+v %v", c, err)
	}
	if _, err := s.Check(ctx, payment.Lookup{OrderID: "x", ChargeID: ""}); err == nil {
		t.Fatal("check without a session")
	}
	if _, err := s.StartCheckout(ctx, payment.Request{Reference: "A1B2", Amount: -1, Currency: "USD"}, "", ""); err == nil {
		t.Fatal("a negative amount went to Stripe")
	}

	id, err := s.Refund(ctx, payment.RefundRequest{ChargeID: "pi_123", Amount: 500, Currency: "usd", IdempotencyKey: "order-1"})
	if err != nil || id == "" {
		t.Fatalf("refund: %q %v", id, err)
	}
	if got := rec.reqs[len(rec.reqs)-1].Header.Get("Idempotency-Key"); got != "refund-order-1" {
		t.Fatalf("refund idempotency key %q", got)
	}

	// Webhooks: a signed event is read; a tampered, re-signed-with-another-
	// secret or stale one is refused.
	event := []byte(`{"id":"evt_1","object":"event","type":"checkout.session.completed","api_version":"2020-08-27","data":{"object":` +
		`{"id":"cs_1","object":"checkout.session","client_reference_id":"order-1","payment_status":"paid","amount_total":9819,"currency":"usd","payment_intent":"pi_1"}}}`)
	sign := func(p []byte, sec string, at time.Time) string {
		return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: p, Secret: sec, Timestamp: at}).Header
	}
	out, err := s.Verify(event, sign(event, secret, time.Now()))
	if err != nil || out.OrderID != "order-1" || !out.Paid || out.ChargeID != "pi_1" || out.Currency != "USD" || out.Amount != 9819 {
		t.Fatalf("verify: %+v %v", out, err)
	}
	tampered := bytes.Replace(event, []byte(`"amount_total":9819`), []byte(`"amount_total":1`), 1)
	for name, c := range map[string][2]string{
		"tampered body":  {string(tampered), sign(event, secret, time.Now())},
		"another secret": {string(event), sign(event, "whsec_other", time.Now())},
		"stale":          {string(event), sign(event, secret, time.Now().Add(-time.Hour))},
		"no signature":   {string(event), ""},
	} {
		if _, err := s.Verify([]byte(c[0]), c[1]); !errors.Is(err, stripe.ErrBadSignature) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
