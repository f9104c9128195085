package shop_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// stripeRecorder stands between Salve and stripe-mock and keeps what Salve
// asked for each Checkout session: its form and idempotency key.
type stripeRecorder struct {
	mu       sync.Mutex
	sessions []url.Values
	keys     []string
	// paid, when set, is the order id whose Checkout session Stripe says is
	// paid when asked (a payment whose webhook never came).
	paid string
}

func (rec *stripeRecorder) start(t *testing.T, mock string) string {
	t.Helper()
	to, err := url.Parse(mock)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(to)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" && r.URL.Path == "/v1/checkout/sessions" {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				t.Error(err)
			}
			form, err := url.ParseQuery(string(body))
			if err != nil {
				t.Error(err)
			}
			rec.mu.Lock()
			rec.sessions = append(rec.sessions, form)
			rec.keys = append(rec.keys, r.Header.Get("Idempotency-Key"))
			rec.mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		rec.mu.Lock()
		paid := rec.paid
		rec.mu.Unlock()
		if paid != "" && r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/v1/checkout/sessions/") {
			w.Header().Set("Content-Type", "application/json")
			_, _ = fmt.Fprintf(w, `{"id":%q,"object":"checkout.session","client_reference_id":%q,"payment_status":"paid","payment_intent":"pi_reconciled"}`,
				strings.TrimPrefix(r.URL.Path, "/v1/checkout/sessions/"), paid)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	return hs.URL
}

// TestInvoicePaidLaterOnline places an order by invoice and pays it later
// on Stripe's hosted page (stripe-mock on loopback): the owner gets the
// page for exactly the outstanding total; another patient gets 404; two
// tabs get the same page (one idempotency key, so one charge); the signed
// webhook, however often it comes, marks the order paid once, and the
// billing page shows the payment. A second payment for an invoice settled
// meanwhile by hand is refunded.
func TestInvoicePaidLaterOnline(t *testing.T) {
	mock := testkit.StripeMock(t)
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		rec := &stripeRecorder{}
		api := rec.start(t, mock)
		s := testkit.StartServer(t, e, func(c *config.Config) {
			c.PaymentGateways = []string{"invoice", "stripe"}
			c.StripeSecretKey, c.StripeWebhookSecret, c.StripeAPIURL = "sk_test_123", webhookSecret, api
		})
		ctx := context.Background()
		sys := access.WithActor(ctx, access.System("test", s.Tenant.ID))
		p := &catalog.Product{Name: "Insulin Pen Needles", Variants: []catalog.Variant{{SKU: "NEEDLE-1", Price: 4000, Stock: 9}}}
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
			t.Fatal(err)
		}
		patient := s.NewPerson(t, access.RolePatient)
		c := s.ClientAs(t, patient)
		place := func() string {
			t.Helper()
			if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/cart/items", map[string][]string{"variant": {p.Variants[0].ID}, "quantity": {"2"}})); r.StatusCode != 303 {
				t.Fatalf("add: %d", r.StatusCode)
			}
			r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/checkout/pay", with(address, "gateway", "invoice")))
			m := orderURL.FindStringSubmatch(r.Header.Get("Location"))
			if r.StatusCode != 303 || m == nil {
				t.Fatalf("pay by invoice: %d %s", r.StatusCode, r.Header.Get("Location"))
			}
			return m[1]
		}
		status := func(id string) orders.Status {
			t.Helper()
			o, err := s.Services().Orders.Get(sys, s.Tenant.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			return o.Status
		}
		post := func(body []byte, sig string) {
			t.Helper()
			req, err := http.NewRequest("POST", s.URL+"/webhooks/stripe", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Stripe-Signature", sig)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("webhook: %d", resp.StatusCode)
			}
		}

		orderID := place()
		// 2 × 40.00 + express 14.99 + NY 4 % of 80.00 = 98.19, all due.
		const total = 9819
		if got := status(orderID); got != orders.PendingPayment {
			t.Fatalf("invoice order is %s", got)
		}
		// The billing, order and invoice pages offer both ways to pay.
		for _, path := range []string{"/account/billing", "/account/orders/" + orderID, "/account/orders/" + orderID + "/receipt"} {
			_, body := testkit.Do(t, c, s.NewRequest(t, "GET", path, nil))
			if !strings.Contains(body, `href="/account/orders/`+orderID+`/pay"`) || !strings.Contains(strings.ToLower(body), "quote the reference") {
				t.Fatalf("%s offers no choice of paying the invoice online or by transfer:\n%s", path, body)
			}
		}
		// Back from the payment page, before the webhook: a clear word.
		if _, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/account/orders/"+orderID+"/receipt?paid=1", nil)); !strings.Contains(body, `id="payment-confirming"`) {
			t.Fatalf("invoice page back from paying:\n%s", body)
		}

		// Another patient's order id (and an unknown one) is absent.
		other := s.ClientAs(t, s.NewPerson(t, access.RolePatient))
		for _, path := range []string{"/account/orders/" + orderID + "/pay", "/account/orders/00000000-0000-7000-8000-000000000000/pay"} {
			if r, _ := testkit.Do(t, other, s.NewRequest(t, "GET", path, nil)); r.StatusCode != 404 {
				t.Fatalf("another patient %s: %d, want 404", path, r.StatusCode)
			}
		}
		if n := len(rec.sessions); n != 0 {
			t.Fatalf("%d payment pages made for someone else's order", n)
		}

		// The owner pays, in two tabs: the same page, asked for with the same
		// idempotency key, for exactly what is outstanding.
		for range 2 {
			r, _ := testkit.Do(t, c, s.NewRequest(t, "GET", "/account/orders/"+orderID+"/pay", nil))
			if r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "http") {
				t.Fatalf("pay invoice: %d %q", r.StatusCode, r.Header.Get("Location"))
			}
		}
		if len(rec.sessions) != 2 || rec.keys[0] == "" || rec.keys[0] != rec.keys[1] {
			t.Fatalf("two tabs: %d sessions asked with keys %q, want one key", len(rec.sessions), rec.keys)
		}
		for _, f := range rec.sessions {
			if f.Get("line_items[0][price_data][unit_amount]") != "9819" || f.Get("client_reference_id") != orderID ||
				f.Get("line_items[0][price_data][currency]") != "usd" {
				t.Fatalf("session asked for %v, want %d usd for the order", f, total)
			}
		}
		page, err := store.NewInvoicePayments(s.Stores.PHI).Latest(sys, s.Tenant.ID, orderID)
		if err != nil || page.Attempt != 1 || page.Gateway != "stripe" {
			t.Fatalf("payment pages: %+v %v, want one on stripe", page, err)
		}

		// A signed event for another amount is not a payment of the invoice.
		wrong, wrongSig := stripeEvent("evt_w", "checkout.session.completed", orderID, "paid", 100, time.Now())
		post(wrong, wrongSig)
		if got := status(orderID); got != orders.PendingPayment {
			t.Fatalf("after a wrong amount the order is %s", got)
		}
		// The page's expiry leaves the invoice due (not cancelled).
		exp, expSig := stripeEvent("evt_x", "checkout.session.expired", orderID, "unpaid", total, time.Now())
		post(exp, expSig)
		if got := status(orderID); got != orders.PendingPayment {
			t.Fatalf("after the page expired the invoice is %s", got)
		}
		// The payment, replayed three times: paid once, one confirmation.
		paid, sig := stripeEvent("evt_p", "checkout.session.completed", orderID, "paid", total, time.Now())
		for range 3 {
			post(paid, sig)
		}
		o, err := s.Services().Orders.Get(sys, s.Tenant.ID, orderID)
		if err != nil || o.Status != orders.Paid || o.Gateway != "stripe" || o.ChargeID != "pi_test_1" {
			t.Fatalf("after the payment: %+v %v", o, err)
		}
		mails, err := s.Services().Outbox.Recent(sys, s.Tenant.ID, 20)
		if err != nil {
			t.Fatal(err)
		}
		confirmations := 0
		for _, m := range mails {
			if m.To.Reveal() == patient.Email && strings.Contains(m.Subject, "confirmed") && !strings.Contains(m.Subject, "invoice") {
				confirmations++
			}
		}
		if confirmations != 1 {
			t.Fatalf("%d payment confirmations, want 1", confirmations)
		}
		// The billing page shows the payment, by card, and nothing due.
		_, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/account/billing", nil))
		if !strings.Contains(body, `class="entry-payment"`) || !strings.Contains(body, "Stripe") ||
			strings.Contains(body, `href="/account/orders/`+orderID+`/pay"`) || !strings.Contains(body, "Nothing to pay") {
			t.Fatalf("billing page after the payment:\n%s", body)
		}
		// Paid: no second page.
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "GET", "/account/orders/"+orderID+"/pay", nil)); r.StatusCode != 409 {
			t.Fatalf("paying a paid invoice: %d", r.StatusCode)
		}

		// Settled by hand (a bank transfer came) while a page was open, then
		// paid online too: the second payment is given back.
		second := place()
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "GET", "/account/orders/"+second+"/pay", nil)); r.StatusCode != 303 {
			t.Fatalf("pay second invoice: %d", r.StatusCode)
		}
		if err := s.Services().Orders.Move(sys, s.Tenant.ID, second, orders.Paid); err != nil {
			t.Fatal(err)
		}
		dup, dupSig := stripeEvent("evt_d", "checkout.session.completed", second, "paid", total, time.Now())
		post(dup, dupSig)
		recs, err := s.Stores.AuditLog.Find(sys, audit.Query{TenantID: s.Tenant.ID, Subject: patient.ID})
		if err != nil {
			t.Fatal(err)
		}
		refunded := false
		for _, r := range recs {
			refunded = refunded || (r.Action == "order.duplicate_payment_refund" && r.ResourceID == second)
		}
		if !refunded {
			t.Fatal("a second payment of a settled invoice was not refunded")
		}
		// A signed event about an invoice order no page was made for is not
		// believed.
		third := place()
		stray, straySig := stripeEvent("evt_s", "checkout.session.completed", third, "paid", total, time.Now())
		post(stray, straySig)
		if got := status(third); got != orders.PendingPayment {
			t.Fatalf("an invoice with no page of ours became %s", got)
		}

		// Paid on its page, but the webhook never came: once the page has
		// expired, reconciliation asks Stripe and settles the order, once.
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "GET", "/account/orders/"+third+"/pay", nil)); r.StatusCode != 303 {
			t.Fatalf("pay third invoice: %d", r.StatusCode)
		}
		if n, err := s.Services().Orders.ReconcilePayments(ctx); err != nil || n != 0 {
			t.Fatalf("reconciled %d (%v) while the page is open", n, err)
		}
		rec.mu.Lock()
		rec.paid = third
		rec.mu.Unlock()
		s.Clock.Advance(orders.HostedTTL + time.Minute)
		for want := 1; want >= 0; want-- {
			if n, err := s.Services().Orders.ReconcilePayments(ctx); err != nil || n != want {
				t.Fatalf("reconciled %d (%v), want %d", n, err, want)
			}
		}
		if o, err := s.Services().Orders.Get(sys, s.Tenant.ID, third); err != nil || o.Status != orders.Paid || o.ChargeID != "pi_reconciled" || o.Gateway != "stripe" {
			t.Fatalf("after reconciliation: %+v %v", o, err)
		}
	})
}

// TestInvoiceNoOnlineGateway: without a gateway with a payment page, an
// invoice is paid by invoice only, and the pay link says so clearly.
func TestInvoiceNoOnlineGateway(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e, func(c *config.Config) { c.PaymentGateways = []string{"invoice"} })
		ctx := context.Background()
		p := &catalog.Product{Name: "Lancets", Variants: []catalog.Variant{{SKU: "L-1", Price: 1000, Stock: 5}}}
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
			t.Fatal(err)
		}
		c := s.ClientAs(t, s.NewPerson(t, access.RolePatient))
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/cart/items", map[string][]string{"variant": {p.Variants[0].ID}, "quantity": {"1"}})); r.StatusCode != 303 {
			t.Fatalf("add: %d", r.StatusCode)
		}
		r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/checkout/pay", with(address, "gateway", "invoice")))
		m := orderURL.FindStringSubmatch(r.Header.Get("Location"))
		if m == nil {
			t.Fatalf("pay by invoice: %d", r.StatusCode)
		}
		_, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/account/billing", nil))
		if strings.Contains(body, "/pay\"") || !strings.Contains(body, "quote the reference") {
			t.Fatalf("billing page without an online gateway:\n%s", body)
		}
		r, body = testkit.Do(t, c, s.NewRequest(t, "GET", "/account/orders/"+m[1]+"/pay", nil))
		if r.StatusCode != 409 || !strings.Contains(body, "does not take card payments online") {
			t.Fatalf("pay link without an online gateway: %d\n%s", r.StatusCode, body)
		}
	})
}
