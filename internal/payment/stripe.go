package payment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"
)

// Stripe takes card payments on Stripe's hosted Checkout page, so card data
// never reaches Salve: checkout sends the browser to Stripe, and Stripe tells
// Salve the outcome by a signed webhook.
//
// What Stripe learns is the order's id and reference and the amount: the one
// line item is named "Order A1B2-C3D4", never after what was bought (a
// prescription item's name would tell a third party about a patient's health).
//
// Stripe is a Redirector: the order waits in pending_payment until the
// webhook (or reconciliation, through Check) says it was paid.
type Stripe struct {
	sc            *stripe.Client
	webhookSecret string
}

// StripeConfig is how Salve reaches Stripe.
type StripeConfig struct {
	SecretKey     string // sk_live_… or sk_test_…
	WebhookSecret string // whsec_…: signs the events Stripe sends
	// APIURL, if set, replaces https://api.stripe.com (tests: stripe-mock).
	APIURL     string
	HTTPClient *http.Client
}

// NewStripe returns the adapter.
func NewStripe(cfg StripeConfig) (*Stripe, error) {
	if cfg.SecretKey == "" || cfg.WebhookSecret == "" {
		return nil, errors.New("stripe: the secret key and the webhook secret are required")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	bc := &stripe.BackendConfig{HTTPClient: cfg.HTTPClient, MaxNetworkRetries: stripe.Int64(2)}
	if cfg.APIURL != "" {
		bc.URL = stripe.String(strings.TrimSuffix(cfg.APIURL, "/"))
	}
	return &Stripe{sc: stripe.NewClient(cfg.SecretKey, stripe.WithBackends(stripe.NewBackendsWithConfig(bc))),
		webhookSecret: cfg.WebhookSecret}, nil
}

// Name implements Gateway.
func (*Stripe) Name() string { return "stripe" }

// Label implements Gateway.
func (*Stripe) Label() string { return "Card, on Stripe's secure payment page" }

// ErrHostedOnly is Charge on Stripe: card payments are taken on Stripe's page
// (StartCheckout), never by Salve.
var ErrHostedOnly = errors.New("stripe: payments are taken on Stripe's hosted page")

// Charge implements Gateway; Stripe takes no direct charges (card data never
// reaches Salve), so it always fails with ErrHostedOnly.
func (*Stripe) Charge(context.Context, Request) (Charge, error) { return Charge{}, ErrHostedOnly }

// StartCheckout creates the hosted payment page for an order. Retrying with
// the same order id (IdempotencyKey) returns the same session, never a
// second one.
func (s *Stripe) StartCheckout(ctx context.Context, req Request, successURL, cancelURL string) (Hosted, error) {
	if req.Amount <= 0 || req.Currency == "" || req.IdempotencyKey == "" || req.Reference == "" {
		return Hosted{}, errors.New("stripe: order id, reference, amount and currency are required")
	}
	p := &stripe.CheckoutSessionCreateParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModePayment)),
		SuccessURL:        stripe.String(successURL),
		CancelURL:         stripe.String(cancelURL),
		ClientReferenceID: stripe.String(req.IdempotencyKey),
		LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{
			Quantity: stripe.Int64(1),
			PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{
				Currency:    stripe.String(strings.ToLower(req.Currency)),
				UnitAmount:  stripe.Int64(req.Amount),
				ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String("Order " + req.Reference)},
			},
		}},
		Metadata: map[string]string{"order_id": req.IdempotencyKey, "order_reference": req.Reference},
		PaymentIntentData: &stripe.CheckoutSessionCreatePaymentIntentDataParams{
			Metadata: map[string]string{"order_id": req.IdempotencyKey, "order_reference": req.Reference},
		},
	}
	if !req.ExpiresAt.IsZero() {
		p.ExpiresAt = stripe.Int64(req.ExpiresAt.Unix())
	}
	p.SetIdempotencyKey("checkout-" + req.IdempotencyKey)
	cs, err := s.sc.V1CheckoutSessions.Create(ctx, p)
	if err != nil {
		return Hosted{}, fmt.Errorf("stripe checkout: %w", err)
	}
	return Hosted{ID: cs.ID, URL: cs.URL}, nil
}

// ErrBadSignature is a webhook whose signature does not verify: not from
// Stripe, changed on the way, or too old (a replay).
var ErrBadSignature = errors.New("stripe webhook: bad signature")

// Verify checks a webhook's signature (Stripe-Signature header, over the raw
// body, within Stripe's 5-minute tolerance) and reads the order it concerns.
// Events about other things come back with an empty OrderID.
func (s *Stripe) Verify(payload []byte, signature string) (Outcome, error) {
	ev, err := webhook.ConstructEventWithOptions(payload, signature, s.webhookSecret,
		webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
	if err != nil {
		return Outcome{}, fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	out := Outcome{EventID: ev.ID, Type: string(ev.Type)}
	if !strings.HasPrefix(out.Type, "checkout.session.") || ev.Data == nil {
		return out, nil
	}
	var cs stripe.CheckoutSession
	if err := json.Unmarshal(ev.Data.Raw, &cs); err != nil {
		return Outcome{}, fmt.Errorf("stripe webhook: %w", err)
	}
	out.OrderID, out.Amount, out.Currency = cs.ClientReferenceID, cs.AmountTotal, strings.ToUpper(string(cs.Currency))
	switch ev.Type {
	case "checkout.session.completed", "checkout.session.async_payment_succeeded":
		// A completed session may still wait for a delayed payment method
		// (a bank debit): only payment_status "paid" is money taken.
		out.Paid = cs.PaymentStatus == stripe.CheckoutSessionPaymentStatusPaid
	case "checkout.session.expired", "checkout.session.async_payment_failed":
		out.Failed = true
	}
	if cs.PaymentIntent != nil {
		out.ChargeID = cs.PaymentIntent.ID
	}
	return out, nil
}

// Check implements Checker: it reads the order's Checkout session (the
// ChargeID stored when the payment page was made).
func (s *Stripe) Check(ctx context.Context, l Lookup) (Charge, error) {
	if !strings.HasPrefix(l.ChargeID, "cs_") {
		return Charge{}, errors.New("stripe check: the order has no Checkout session")
	}
	cs, err := s.sc.V1CheckoutSessions.Retrieve(ctx, l.ChargeID, nil)
	if err != nil {
		return Charge{}, fmt.Errorf("stripe check: %w", err)
	}
	if cs.ClientReferenceID != "" && cs.ClientReferenceID != l.OrderID {
		return Charge{}, errors.New("stripe check: the session belongs to another order")
	}
	c := Charge{Paid: cs.PaymentStatus == stripe.CheckoutSessionPaymentStatusPaid}
	if cs.PaymentIntent != nil {
		c.ID = cs.PaymentIntent.ID
	}
	return c, nil
}

// Refund implements Refunder: it gives back req.Amount of the payment
// (ChargeID is the PaymentIntent), once per IdempotencyKey.
func (s *Stripe) Refund(ctx context.Context, req RefundRequest) (string, error) {
	paymentIntent, amount, key := req.ChargeID, req.Amount, req.IdempotencyKey
	if paymentIntent == "" || amount <= 0 || key == "" {
		return "", errors.New("stripe refund: payment, amount and idempotency key are required")
	}
	p := &stripe.RefundCreateParams{PaymentIntent: stripe.String(paymentIntent), Amount: stripe.Int64(amount)}
	p.SetIdempotencyKey("refund-" + key)
	r, err := s.sc.V1Refunds.Create(ctx, p)
	if err != nil {
		return "", fmt.Errorf("stripe refund: %w", err)
	}
	return r.ID, nil
}
