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
// It is not yet wired into the checkout pages: Gateway.Charge is synchronous,
// and hosted Checkout needs the order to wait in pending_payment until the
// webhook arrives (see docs/orders.md).
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

// Hosted is a Stripe Checkout session: where to send the browser.
type Hosted struct {
	ID  string
	URL string
}

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
	p.SetIdempotencyKey("checkout-" + req.IdempotencyKey)
	cs, err := s.sc.V1CheckoutSessions.Create(ctx, p)
	if err != nil {
		return Hosted{}, fmt.Errorf("stripe checkout: %w", err)
	}
	return Hosted{ID: cs.ID, URL: cs.URL}, nil
}

// Outcome is what a verified webhook says about an order.
type Outcome struct {
	EventID       string
	Type          string // e.g. checkout.session.completed
	OrderID       string // the session's client reference: Salve's order id
	Paid          bool
	PaymentIntent string // for refunds
	Amount        int64
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
	out.OrderID, out.Amount = cs.ClientReferenceID, cs.AmountTotal
	out.Paid = cs.PaymentStatus == stripe.CheckoutSessionPaymentStatusPaid
	if cs.PaymentIntent != nil {
		out.PaymentIntent = cs.PaymentIntent.ID
	}
	return out, nil
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
