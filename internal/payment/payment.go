// Package payment is how Salve takes money: the Gateway interfaces (and
// Redirector, Checker, Refunder for what some gateways can do) and the
// gateways that need no outside service (Invoice, and Test for the demo).
// Gateways that talk to a processor are adapters in subpackages
// (payment/stripe). A gateway receives the order reference and the amount
// only, never what was bought (DESIGN §2.6: no PHI in processor metadata).
package payment

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"
)

// Request is one charge. IdempotencyKey is the order id: charging twice with
// the same key charges once.
type Request struct {
	IdempotencyKey string
	Reference      string // the order reference, e.g. A1B2-C3D4
	Amount         int64  // minor units
	Currency       string
	// ExpiresAt, for a hosted payment page, is when the page stops taking
	// the payment: before the order's stock hold ends.
	ExpiresAt time.Time
	// Attempt, when not empty, names another payment page for the same
	// order (an invoice paid later may need a new page once one expired):
	// the gateway's idempotency key is the order id and the attempt, while
	// the page still names the order by its id (IdempotencyKey).
	Attempt string
}

// Charge is a gateway's answer.
type Charge struct {
	ID string
	// Paid is true when the money was taken now; false when it will come
	// later (an invoice).
	Paid bool
}

// Gateway takes payments.
type Gateway interface {
	// Name is the gateway's identifier, stored with the order.
	Name() string
	// Label is what the checkout page calls it.
	Label() string
	// Charge takes the payment, once per IdempotencyKey.
	Charge(ctx context.Context, req Request) (Charge, error)
}

// RefundRequest gives back money taken for an order. IdempotencyKey makes
// a retried refund give the money back once.
type RefundRequest struct {
	ChargeID       string // the gateway's id for the payment, stored with the order
	Amount         int64  // minor units
	Currency       string
	IdempotencyKey string
}

// Refunder is a gateway that can give money back by itself. A gateway that
// is not one (invoice) is refunded by hand, outside Salve.
type Refunder interface {
	Refund(ctx context.Context, req RefundRequest) (string, error)
}

// Redirector is a gateway that takes the payment on its own page: the order
// waits in pending_payment, the browser is sent to the page, and the gateway
// tells Salve the outcome by a signed message (Verify).
type Redirector interface {
	Gateway
	// StartCheckout returns the payment page for an order; the same order
	// (IdempotencyKey) gets the same page.
	StartCheckout(ctx context.Context, req Request, successURL, cancelURL string) (Hosted, error)
	// Verify checks a message from the gateway and reads what it says.
	Verify(payload []byte, signature string) (Outcome, error)
}

// Hosted is a gateway's payment page: where to send the browser.
type Hosted struct {
	ID  string
	URL string
}

// Outcome is what a verified message from a gateway says about an order.
type Outcome struct {
	EventID  string
	Type     string // the gateway's event type, e.g. checkout.session.completed
	OrderID  string // Salve's order id; empty for events about other things
	Paid     bool
	Failed   bool   // the payment page expired or the payment failed: the order can be cancelled
	ChargeID string // the payment, for refunds (Stripe: the PaymentIntent)
	Amount   int64
	Currency string // upper case
}

// Lookup asks a gateway about an order's payment.
type Lookup struct {
	OrderID  string // the idempotency key the payment was started with
	ChargeID string // what the gateway returned when it started (Stripe: the Checkout session)
}

// Checker is a gateway that can say whether an order was paid: when its
// answer was lost, or a webhook never came, reconciliation asks it before an
// unpaid order is cancelled (so a charged order is never cancelled).
type Checker interface {
	Check(ctx context.Context, l Lookup) (Charge, error)
}

// ErrDeclined is a payment the gateway refused.
var ErrDeclined = errors.New("payment declined")

// Invoice is the manual gateway: the order waits for payment by invoice, and
// staff mark it paid when the money arrives.
type Invoice struct{}

// Name implements Gateway.
func (Invoice) Name() string { return "invoice" }

// Label implements Gateway.
func (Invoice) Label() string { return "Pay by invoice" }

// Charge implements Gateway: nothing is taken now.
func (Invoice) Charge(_ context.Context, req Request) (Charge, error) {
	return Charge{ID: "invoice-" + req.Reference}, nil
}

// Test is the demo's gateway: every charge succeeds (except amounts the test
// declines), kept in memory and counted, so tests can check that nothing was
// charged twice.
type Test struct {
	mu      sync.Mutex
	charges map[string]Request
	refunds map[string]RefundRequest
	// Decline, if set, declines the charges it returns true for.
	Decline func(Request) bool
	// LoseAnswer, if set, takes the charges it returns true for and then
	// fails as if the connection dropped before the answer came: the money
	// is taken, and Salve does not know it.
	LoseAnswer func(Request) bool
	// Unreachable makes Check fail, as a gateway that cannot be reached.
	Unreachable bool
}

// ErrLostAnswer is the test gateway's dropped connection.
var ErrLostAnswer = errors.New("test gateway: connection reset before the answer")

// NewTest returns a test gateway.
func NewTest() *Test {
	return &Test{charges: map[string]Request{}, refunds: map[string]RefundRequest{}}
}

// Name implements Gateway.
func (*Test) Name() string { return "test" }

// Label implements Gateway.
func (*Test) Label() string { return "Test card (demo: no money moves)" }

// Charge implements Gateway.
func (g *Test) Charge(_ context.Context, req Request) (Charge, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.charges[req.IdempotencyKey]; ok {
		return Charge{ID: "test-" + req.IdempotencyKey, Paid: true}, nil
	}
	if g.Decline != nil && g.Decline(req) {
		return Charge{}, ErrDeclined
	}
	g.charges[req.IdempotencyKey] = req
	if g.LoseAnswer != nil && g.LoseAnswer(req) {
		return Charge{}, ErrLostAnswer
	}
	return Charge{ID: "test-" + req.IdempotencyKey, Paid: true}, nil
}

// Check implements Checker.
func (g *Test) Check(_ context.Context, l Lookup) (Charge, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.Unreachable {
		return Charge{}, errors.New("test gateway: unreachable")
	}
	if _, ok := g.charges[l.OrderID]; ok {
		return Charge{ID: "test-" + l.OrderID, Paid: true}, nil
	}
	return Charge{}, nil
}

// Charges returns how many distinct charges were taken.
func (g *Test) Charges() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.charges)
}

// Total returns the sum of every charge taken.
func (g *Test) Total() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	var t int64
	for _, r := range g.charges {
		t += r.Amount
	}
	return t
}

// Refund implements Refunder: once per IdempotencyKey; partial refunds of a
// charge together never more than was charged.
func (g *Test) Refund(_ context.Context, req RefundRequest) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.refunds[req.IdempotencyKey]; ok {
		return "test-refund-" + req.IdempotencyKey, nil
	}
	c, ok := g.charges[strings.TrimPrefix(req.ChargeID, "test-")]
	// Partial refunds add up, as on Stripe: all the refunds of a charge
	// together never exceed it.
	var before int64
	for _, r := range g.refunds {
		if r.ChargeID == req.ChargeID {
			before += r.Amount
		}
	}
	if !ok || req.Amount <= 0 || before+req.Amount > c.Amount {
		return "", errors.New("test gateway: no such charge, or more than was charged")
	}
	g.refunds[req.IdempotencyKey] = req
	return "test-refund-" + req.IdempotencyKey, nil
}

// Refunded returns the sum of every refund given.
func (g *Test) Refunded() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	var t int64
	for _, r := range g.refunds {
		t += r.Amount
	}
	return t
}
