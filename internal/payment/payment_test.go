package payment_test

import (
	"context"
	"errors"
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
