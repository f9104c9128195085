package promo

import (
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
)

func TestDiscount(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	pct := Promotion{Code: "TEN", Kind: Percent, Value: 10, StartsAt: now.Add(-time.Hour)}
	if d, err := pct.Discount(1995, 1, "USD", now); err != nil || d != 200 { // 199.5 rounds half up
		t.Fatalf("percent: %d %v", d, err)
	}
	fixed := Promotion{Code: "FIVE", Kind: Fixed, Value: 500, Currency: "USD", StartsAt: now.Add(-time.Hour)}
	if d, _ := fixed.Discount(300, 1, "USD", now); d != 300 {
		t.Fatalf("a fixed discount above the subtotal: %d", d)
	}
	for name, tc := range map[string]struct {
		p        Promotion
		qty      int64
		currency string
	}{
		"expired":        {Promotion{Kind: Percent, Value: 5, StartsAt: now.Add(-2 * time.Hour), EndsAt: now}, 1, "USD"},
		"not yet":        {Promotion{Kind: Percent, Value: 5, StartsAt: now.Add(time.Second)}, 1, "USD"},
		"used up":        {Promotion{Kind: Percent, Value: 5, UsageLimit: 2, Used: 2}, 1, "USD"},
		"too few":        {Promotion{Kind: Percent, Value: 5, MinQuantity: 3}, 2, "USD"},
		"other currency": {Promotion{Kind: Fixed, Value: 5, Currency: "EUR"}, 1, "USD"},
	} {
		if _, err := tc.p.Discount(1000, tc.qty, tc.currency, now); apperr.As(err) == nil || apperr.As(err).Fields["promo"] == "" {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := Promotion{Code: " spring-10 ", Kind: Percent, Value: 10}
	if err := ok.Validate(); err != nil || ok.Code != "SPRING-10" {
		t.Fatalf("%v %q", err, ok.Code)
	}
	for name, p := range map[string]Promotion{
		"short code":    {Code: "AB", Kind: Percent, Value: 1},
		"odd code":      {Code: "NO SPACES", Kind: Percent, Value: 1},
		"101%":          {Code: "BIG", Kind: Percent, Value: 101},
		"no currency":   {Code: "FIX", Kind: Fixed, Value: 100},
		"kind":          {Code: "KIND", Kind: "free", Value: 1},
		"negative":      {Code: "NEG", Kind: Percent, Value: 1, UsageLimit: -1},
		"ends too soon": {Code: "END", Kind: Percent, Value: 1, StartsAt: time.Unix(100, 0), EndsAt: time.Unix(100, 0)},
	} {
		if err := p.Validate(); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
