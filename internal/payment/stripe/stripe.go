// Package stripe is the Stripe payment gateway: an adapter to the outside
// world (Stripe's API over HTTPS and its signed webhooks) that implements the
// payment package's Gateway, Redirector, Checker and Refunder. It is the only
// part of Salve that imports stripe-go; the server wires it in when the
// configuration lists "stripe".
package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/salvehealth/salve/internal/payment"
)

// Name is the gateway's name, stored with its orders and named by the
// webhook route (/webhooks/stripe).
const Name = "stripe"

// Gateway takes card payments on Stripe's hosted Checkout page, so card data
// never reaches Salve: checkout sends the browser to Stripe, and Stripe tells
// Salve the outcome by a signed webhook.
//
// What Stripe learns is the order's id and reference and the amount: the one
// line item is named "Order A1B2-C3D4", never after what was bought (a
// prescription item's name would tell a third party about a patient's health).
//
// Gateway is a payment.Redirector: the order waits in pending_payment until
// the webhook (or reconciliation, through Check) says it was paid.
type Gateway struct {
	sc            *stripego.Client
	webhookSecret string
}

var (
	_ payment.Redirector = (*Gateway)(nil)
	_ payment.Checker    = (*Gateway)(nil)
	_ payment.Refunder   = (*Gateway)(nil)
)

// Config is how Salve reaches Stripe.
type Config struct {
	SecretKey     string // sk_live_… or sk_test_…
	WebhookSecret string // whsec_…: signs the events Stripe sends
	// APIURL, if set, replaces https://api.stripe.com (tests: stripe-mock).
	APIURL     string
	HTTPClient *http.Client
}

// New returns the adapter.
func New(cfg Config) (*Gateway, error) {
	if cfg.SecretKey == "" || cfg.WebhookSecret == "" {
		return nil, errors.New("stripe: the secret key and the webhook secret are required")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	bc := &stripego.BackendConfig{HTTPClient: cfg.HTTPClient, MaxNetworkRetries: stripego.Int64(2)}
	if cfg.APIURL != "" {
		bc.URL = stripego.String(strings.TrimSuffix(cfg.APIURL, "/"))
	}
	return &Gateway{sc: stripego.NewClient(cfg.SecretKey, stripego.WithBackends(stripego.NewBackendsWithConfig(bc))),
		webhookSecret: cfg.WebhookSecret}, nil
}

// Name implements payment.Gateway.
func (*Gateway) Name() string { return Name }

// Label implements payment.Gateway.
func (*Gateway) Label() string { return "Card, on Stripe's secure payment page" }

// ErrHostedOnly is Charge on Stripe: card payments are taken on Stripe's page
// (StartCheckout), never by Salve.
var ErrHostedOnly = errors.New("stripe: payments are taken on Stripe's hosted page")

// Charge implements payment.Gateway; Stripe takes no direct charges (card data never
// reaches Salve), so it always fails with ErrHostedOnly.
func (*Gateway) Charge(context.Context, payment.Request) (payment.Charge, error) {
	return payment.Charge{}, ErrHostedOnly
}

// StartCheckout creates the hosted payment page for an order. Retrying with
// the same order id (IdempotencyKey) and Attempt returns the same session,
// never a second one.
func (s *Gateway) StartCheckout(ctx context.Context, req payment.Request, successURL, cancelURL string) (payment.Hosted, error) {
	if req.Amount <= 0 || req.Currency == "" || req.IdempotencyKey == "" || req.Reference == "" {
		return payment.Hosted{}, errors.New("stripe: order id, reference, amount and currency are required")
	}
	p := &stripego.CheckoutSessionCreateParams{
		Mode:              stripego.String(string(stripego.CheckoutSessionModePayment)),
		SuccessURL:        stripego.String(successURL),
		CancelURL:         stripego.String(cancelURL),
		ClientReferenceID: stripego.String(req.IdempotencyKey),
		LineItems: []*stripego.CheckoutSessionCreateLineItemParams{{
			Quantity: stripego.Int64(1),
			PriceData: &stripego.CheckoutSessionCreateLineItemPriceDataParams{
				Currency:    stripego.String(strings.ToLower(req.Currency)),
				UnitAmount:  stripego.Int64(req.Amount),
				ProductData: &stripego.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripego.String("Order " + req.Reference)},
			},
		}},
		Metadata: map[string]string{"order_id": req.IdempotencyKey, "order_reference": req.Reference},
		PaymentIntentData: &stripego.CheckoutSessionCreatePaymentIntentDataParams{
			Metadata: map[string]string{"order_id": req.IdempotencyKey, "order_reference": req.Reference},
		},
	}
	if !req.ExpiresAt.IsZero() {
		p.ExpiresAt = stripego.Int64(req.ExpiresAt.Unix())
	}
	key := "checkout-" + req.IdempotencyKey
	if req.Attempt != "" {
		// Why a key per attempt: a page that expired cannot be paid, and
		// Stripe keeps answering a key with the page it first made.
		key += "-" + req.Attempt
	}
	p.SetIdempotencyKey(key)
	cs, err := s.sc.V1CheckoutSessions.Create(ctx, p)
	if err != nil {
		return payment.Hosted{}, fmt.Errorf("stripe checkout: %w", err)
	}
	return payment.Hosted{ID: cs.ID, URL: cs.URL}, nil
}

// ErrBadSignature is a webhook whose signature does not verify: not from
// Stripe, changed on the way, or too old (a replay).
var ErrBadSignature = errors.New("stripe webhook: bad signature")

// Verify checks a webhook's signature (Stripe-Signature header, over the raw
// body, within Stripe's 5-minute tolerance) and reads the order it concerns.
// Events about other things come back with an empty OrderID.
func (s *Gateway) Verify(payload []byte, signature string) (payment.Outcome, error) {
	ev, err := webhook.ConstructEventWithOptions(payload, signature, s.webhookSecret,
		webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
	if err != nil {
		return payment.Outcome{}, fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	out := payment.Outcome{EventID: ev.ID, Type: string(ev.Type)}
	if !strings.HasPrefix(out.Type, "checkout.session.") || ev.Data == nil {
		return out, nil
	}
	var cs stripego.CheckoutSession
	if err := json.Unmarshal(ev.Data.Raw, &cs); err != nil {
		return payment.Outcome{}, fmt.Errorf("stripe webhook: %w", err)
	}
	out.OrderID, out.Amount, out.Currency = cs.ClientReferenceID, cs.AmountTotal, strings.ToUpper(string(cs.Currency))
	switch ev.Type {
	case "checkout.session.completed", "checkout.session.async_payment_succeeded":
		// A completed session may still wait for a delayed payment method
		// (a bank debit): only payment_status "paid" is money taken.
		out.Paid = cs.PaymentStatus == stripego.CheckoutSessionPaymentStatusPaid
	case "checkout.session.expired", "checkout.session.async_payment_failed":
		out.Failed = true
	}
	if cs.PaymentIntent != nil {
		out.ChargeID = cs.PaymentIntent.ID
	}
	return out, nil
}

// Check implements payment.Checker: it reads the order's Checkout session (the
// ChargeID stored when the payment page was made).
func (s *Gateway) Check(ctx context.Context, l payment.Lookup) (payment.Charge, error) {
	if !strings.HasPrefix(l.ChargeID, "cs_") {
		return payment.Charge{}, errors.New("stripe check: the order has no Checkout session")
	}
	cs, err := s.sc.V1CheckoutSessions.Retrieve(ctx, l.ChargeID, nil)
	if err != nil {
		return payment.Charge{}, fmt.Errorf("stripe check: %w", err)
	}
	if cs.ClientReferenceID != "" && cs.ClientReferenceID != l.OrderID {
		return payment.Charge{}, errors.New("stripe check: the session belongs to another order")
	}
	c := payment.Charge{Paid: cs.PaymentStatus == stripego.CheckoutSessionPaymentStatusPaid}
	if cs.PaymentIntent != nil {
		c.ID = cs.PaymentIntent.ID
	}
	return c, nil
}

// Refund implements payment.Refunder: it gives back req.Amount of the payment
// (ChargeID is the PaymentIntent), once per IdempotencyKey.
func (s *Gateway) Refund(ctx context.Context, req payment.RefundRequest) (string, error) {
	paymentIntent, amount, key := req.ChargeID, req.Amount, req.IdempotencyKey
	if paymentIntent == "" || amount <= 0 || key == "" {
		return "", errors.New("stripe refund: payment, amount and idempotency key are required")
	}
	p := &stripego.RefundCreateParams{PaymentIntent: stripego.String(paymentIntent), Amount: stripego.Int64(amount)}
	p.SetIdempotencyKey("refund-" + key)
	r, err := s.sc.V1Refunds.Create(ctx, p)
	if err != nil {
		return "", fmt.Errorf("stripe refund: %w", err)
	}
	return r.ID, nil
}
