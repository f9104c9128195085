package payment_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/salvehealth/salve/internal/payment"
)

func TestTestGatewayChargesOncePerKey(t *testing.T) {
	g := payment.NewTest()
	ctx := context.Background()
	for range 3 {
		c, err := g.Charge(ctx, payment.Request{IdempotencyKey: "order-1", Reference: "AAAA-BBBB", Amount: 1000, Currency: "USD"})
		if err != nil || !c.Paid || c.ID == "" {
			t.Fatalf("charge: %+v %v", c, err)
		}
	}
	g.Decline = func(r payment.Request) bool { return r.Amount == 13 }
	if _, err := g.Charge(ctx, payment.Request{IdempotencyKey: "order-2", Amount: 13}); !errors.Is(err, payment.ErrDeclined) {
		t.Fatalf("decline: %v", err)
	}
	if g.Charges() != 1 || g.Total() != 1000 {
		t.Fatalf("charges %d total %d", g.Charges(), g.Total())
	}
	var gw payment.Gateway = payment.Invoice{}
	if c, err := gw.Charge(ctx, payment.Request{Reference: "AAAA-BBBB"}); err != nil || c.Paid {
		t.Fatalf("invoice: %+v %v", c, err)
	}
}

func TestTestGatewayRefundsOncePerKeyAndNoMoreThanCharged(t *testing.T) {
	g := payment.NewTest()
	ctx := context.Background()
	c, err := g.Charge(ctx, payment.Request{IdempotencyKey: "order-1", Reference: "AAAA-BBBB", Amount: 1000, Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	var rf payment.Refunder = g
	for range 2 {
		if _, err := rf.Refund(ctx, payment.RefundRequest{ChargeID: c.ID, Amount: 1000, Currency: "USD", IdempotencyKey: "order-1"}); err != nil {
			t.Fatalf("refund: %v", err)
		}
	}
	if g.Refunded() != 1000 {
		t.Fatalf("refunded %d, want 1000 once", g.Refunded())
	}
	if _, err := rf.Refund(ctx, payment.RefundRequest{ChargeID: c.ID, Amount: 1001, IdempotencyKey: "order-1b"}); err == nil {
		t.Fatal("a refund above the charge was given")
	}
	if _, err := rf.Refund(ctx, payment.RefundRequest{ChargeID: "test-nope", Amount: 1, IdempotencyKey: "x"}); err == nil {
		t.Fatal("a refund of an unknown charge was given")
	}
	// Partial refunds (a return's lines) add up to the charge and no more.
	c2, err := g.Charge(ctx, payment.Request{IdempotencyKey: "order-2", Reference: "CCCC-DDDD", Amount: 1000, Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	for i, amount := range []int64{400, 600} {
		if _, err := rf.Refund(ctx, payment.RefundRequest{ChargeID: c2.ID, Amount: amount, Currency: "USD", IdempotencyKey: fmt.Sprint("line-", i)}); err != nil {
			t.Fatalf("partial refund %d: %v", amount, err)
		}
	}
	if _, err := rf.Refund(ctx, payment.RefundRequest{ChargeID: c2.ID, Amount: 1, Currency: "USD", IdempotencyKey: "line-2"}); err == nil {
		t.Fatal("partial refunds went above the charge")
	}
	if g.Refunded() != 2000 {
		t.Fatalf("refunded %d, want 2000", g.Refunded())
	}
}
