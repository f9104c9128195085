package orders

import (
	"regexp"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/cart"
)

func TestPrice(t *testing.T) {
	line := func(price, qty int64, rx bool) cart.Line {
		return cart.Line{VariantID: "v", Name: "x", Price: price, Currency: "USD", Quantity: qty, RequiresPrescription: rx, Active: true}
	}
	for _, tc := range []struct {
		name                  string
		lines                 []cart.Line
		method, region        string
		sub, ship, tax, total int64
	}{
		{"standard under 50", []cart.Line{line(1999, 1, false)}, "standard", "TX", 1999, 499, 125, 2623},
		{"free standard from 50", []cart.Line{line(2500, 2, false)}, "standard", "OR", 5000, 0, 0, 5000},
		{"express", []cart.Line{line(1000, 1, false)}, "express", "NY", 1000, 1499, 40, 2539},
		{"rx is untaxed", []cart.Line{line(1000, 1, false), line(4000, 1, true)}, "express", "CA", 5000, 1499, 73, 6572},
	} {
		q, err := Price(tc.lines, tc.method, tc.region, nil, nil, time.Time{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if q.Subtotal != tc.sub || q.Shipping != tc.ship || q.Tax != tc.tax || q.Total != tc.total {
			t.Errorf("%s: %+v", tc.name, q)
		}
	}
	for name, lines := range map[string][]cart.Line{
		"empty":     nil,
		"withdrawn": {{Name: "x", Price: 1, Currency: "USD", Quantity: 1}},
		"mixed":     {line(1, 1, false), {Name: "y", Price: 1, Currency: "EUR", Quantity: 1, Active: true}},
		"zero":      {line(1, 0, false)},
	} {
		if _, err := Price(lines, "standard", "CA", nil, nil, time.Time{}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := Price([]cart.Line{line(1, 1, false)}, "teleport", "ZZ", nil, nil, time.Time{}); len(apperr.As(err).Fields) != 2 {
		t.Errorf("bad method and region: %v", err)
	}
}

func TestReference(t *testing.T) {
	re := regexp.MustCompile(`^[A-Z2-9]{4}-[A-Z2-9]{4}$`)
	seen := map[string]bool{}
	for range 1000 {
		r := NewReference()
		if !re.MatchString(r) || seen[r] {
			t.Fatalf("reference %q", r)
		}
		seen[r] = true
	}
}

func TestStateMachine(t *testing.T) {
	for _, tc := range []struct {
		from, to Status
		ok       bool
	}{
		{PendingPayment, Paid, true}, {PendingPayment, Shipped, false}, {Paid, AwaitingRx, true}, {AwaitingRx, Ready, true},
		{Ready, Shipped, true}, {Shipped, Delivered, true}, {Delivered, Refunded, true}, {Shipped, Cancelled, false},
		{Cancelled, Paid, false}, {Refunded, Paid, false},
	} {
		if CanMove(tc.from, tc.to) != tc.ok {
			t.Errorf("%s → %s: %v", tc.from, tc.to, !tc.ok)
		}
	}
}
