package catalog

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MaxPriceBreaks is the most volume price breaks one variant has.
const MaxPriceBreaks = 5

// PriceBreak is a volume price: from MinQuantity units of a variant on one
// line, every unit costs UnitPrice (minor units, the variant's currency).
type PriceBreak struct {
	MinQuantity int64
	UnitPrice   int64
}

// UnitPrice is the price of one unit when qty are bought on one line: the
// break with the largest MinQuantity not above qty, or base when none
// applies. breaks must be valid (ValidatePriceBreaks): sorted by quantity.
func UnitPrice(base int64, breaks []PriceBreak, qty int64) int64 {
	price := base
	for _, b := range breaks {
		if qty >= b.MinQuantity && b.UnitPrice < price {
			price = b.UnitPrice
		}
	}
	return price
}

// ValidatePriceBreaks checks a variant's breaks against its base price and
// says what is wrong in words for a store manager: at most MaxPriceBreaks,
// each from a quantity of at least 2 (one unit is the base price) with a
// unit price above zero and below the base price, no quantity twice, and a
// price that goes strictly down as the quantity goes up. Why so strict: a
// break that raises the price or ties another would make "buy more, pay
// less" false on the product page, and the first break that applies would
// depend on order. The breaks are sorted by quantity as a side effect.
func ValidatePriceBreaks(base int64, breaks []PriceBreak) error {
	if len(breaks) == 0 {
		return nil
	}
	if len(breaks) > MaxPriceBreaks {
		return fmt.Errorf("use at most %d price breaks", MaxPriceBreaks)
	}
	slices.SortFunc(breaks, func(a, b PriceBreak) int { return cmp.Compare(a.MinQuantity, b.MinQuantity) })
	var prev *PriceBreak
	for i := range breaks {
		b := breaks[i]
		switch {
		case b.MinQuantity < 2:
			return fmt.Errorf("a price break starts at a quantity of 2 or more, not %d", b.MinQuantity)
		case b.MinQuantity > 1_000_000:
			return fmt.Errorf("the price break quantity %d is too large", b.MinQuantity)
		case b.UnitPrice <= 0:
			return fmt.Errorf("the price from %d must be above zero", b.MinQuantity)
		case b.UnitPrice >= base:
			return fmt.Errorf("the price from %d must be below the price of one (%s)", b.MinQuantity, FormatDecimal(base))
		case prev != nil && b.MinQuantity == prev.MinQuantity:
			return fmt.Errorf("the quantity %d has two price breaks", b.MinQuantity)
		case prev != nil && b.UnitPrice >= prev.UnitPrice:
			return fmt.Errorf("the price from %d must be below the price from %d", b.MinQuantity, prev.MinQuantity)
		}
		prev = &breaks[i]
	}
	return nil
}

// FormatPriceBreaks writes breaks as the store and CSV keep them:
// "3:899;10:799" in minor units, or with decimal set "3:8.99;10:7.99".
func FormatPriceBreaks(breaks []PriceBreak, decimals bool) string {
	parts := make([]string, len(breaks))
	for i, b := range breaks {
		p := strconv.FormatInt(b.UnitPrice, 10)
		if decimals {
			p = FormatDecimal(b.UnitPrice)
		}
		parts[i] = strconv.FormatInt(b.MinQuantity, 10) + ":" + p
	}
	return strings.Join(parts, ";")
}

// ParsePriceBreaks reads what FormatPriceBreaks writes. Spaces around the
// parts are allowed; an empty string is no breaks. It checks the syntax
// only; ValidatePriceBreaks checks the values.
func ParsePriceBreaks(s string, decimals bool) ([]PriceBreak, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var out []PriceBreak
	for part := range strings.SplitSeq(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		q, p, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("write each price break as quantity:price, such as 3:8.99")
		}
		n, err := strconv.ParseInt(strings.TrimSpace(q), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("the price break quantity %s is not a whole number", strconv.Quote(strings.TrimSpace(q)))
		}
		var price int64
		if decimals {
			price, err = ParsePrice(p)
		} else {
			price, err = strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		}
		if err != nil {
			return nil, fmt.Errorf("the price break price %s is not a number such as 8.99", strconv.Quote(strings.TrimSpace(p)))
		}
		out = append(out, PriceBreak{MinQuantity: n, UnitPrice: price})
		if len(out) > MaxPriceBreaks*4 {
			return nil, fmt.Errorf("use at most %d price breaks", MaxPriceBreaks)
		}
	}
	return out, nil
}

// priceBreakErr is the field error of a variant's bad breaks.
func priceBreakErr(i int, err error) (string, string) {
	msg := err.Error()
	return fmt.Sprintf("variant %d price breaks", i+1), strings.ToUpper(msg[:1]) + msg[1:] + "."
}
