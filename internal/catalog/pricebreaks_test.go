package catalog

import (
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/apperr"
)

func TestUnitPriceByQuantity(t *testing.T) {
	bs := []PriceBreak{{3, 899}, {10, 799}}
	for qty, want := range map[int64]int64{0: 999, 1: 999, 2: 999, 3: 899, 9: 899, 10: 799, 11: 799, 99: 799} {
		if got := UnitPrice(999, bs, qty); got != want {
			t.Errorf("quantity %d: %d, want %d", qty, got, want)
		}
	}
	if UnitPrice(999, nil, 50) != 999 {
		t.Error("no breaks")
	}
}

func TestPriceBreakRules(t *testing.T) {
	ok := []PriceBreak{{10, 799}, {3, 899}}
	if err := ValidatePriceBreaks(999, ok); err != nil || ok[0].MinQuantity != 3 {
		t.Fatalf("good breaks: %v %+v", err, ok)
	}
	for name, tc := range map[string]struct {
		bs   []PriceBreak
		want string
	}{
		"from one":         {[]PriceBreak{{1, 800}}, "2 or more"},
		"zero price":       {[]PriceBreak{{3, 0}}, "above zero"},
		"at base":          {[]PriceBreak{{3, 999}}, "below the price of one"},
		"above base":       {[]PriceBreak{{3, 1200}}, "below the price of one"},
		"duplicate":        {[]PriceBreak{{3, 800}, {3, 700}}, "two price breaks"},
		"not decreasing":   {[]PriceBreak{{3, 800}, {10, 800}}, "below the price from 3"},
		"going up":         {[]PriceBreak{{3, 700}, {10, 800}}, "below the price from 3"},
		"too many":         {[]PriceBreak{{2, 900}, {3, 800}, {4, 700}, {5, 600}, {6, 500}, {7, 400}}, "at most 5"},
		"huge quantity":    {[]PriceBreak{{2_000_000, 1}}, "too large"},
		"negative":         {[]PriceBreak{{3, -5}}, "above zero"},
		"negative qty":     {[]PriceBreak{{-3, 5}}, "2 or more"},
		"breaks on a free": {[]PriceBreak{{3, 1}}, "below the price of one"},
	} {
		base := int64(999)
		if name == "breaks on a free" {
			base = 0
		}
		err := ValidatePriceBreaks(base, tc.bs)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
	// A product with a bad break is a field error naming the variant.
	p := &Product{Name: "Strips", Variants: []Variant{{SKU: "S-1", Price: 999, PriceBreaks: []PriceBreak{{3, 1000}}}}}
	p.Normalize()
	if e := apperr.As(p.Validate()); e == nil || !strings.Contains(e.Fields["variant 1 price breaks"], "below the price of one") {
		t.Fatalf("product with a bad break: %v", p.Validate())
	}
}

func TestPriceBreakText(t *testing.T) {
	bs, err := ParsePriceBreaks(" 3:8.99 ; 10:7.99;", true)
	if err != nil || FormatPriceBreaks(bs, true) != "3:8.99;10:7.99" || FormatPriceBreaks(bs, false) != "3:899;10:799" {
		t.Fatalf("%+v %v", bs, err)
	}
	if bs, err := ParsePriceBreaks("3:899;10:799", false); err != nil || bs[1] != (PriceBreak{10, 799}) {
		t.Fatalf("minor units: %+v %v", bs, err)
	}
	if bs, err := ParsePriceBreaks("  ", true); err != nil || bs != nil {
		t.Fatal("empty")
	}
	for _, bad := range []string{"3", "3=8.99", "x:8.99", "3:abc", "3.5:8.99", "3:8.999"} {
		if _, err := ParsePriceBreaks(bad, true); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
