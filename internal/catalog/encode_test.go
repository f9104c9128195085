package catalog_test

import (
	"fmt"
	"testing"

	"github.com/salvehealth/salve/internal/catalog"
)

func TestQueryEncodeIsValuesEncode(t *testing.T) {
	texts := []string{"", "zinc gummies", "a&b=c+d", "café ☃", "100%"}
	for i := range 2000 {
		q := catalog.Query{Text: texts[i%len(texts)], MinPrice: -1, MaxPrice: -1, Page: i % 4, PerPage: []int{0, 24, 10, 100}[i/4%4]}
		if i%3 == 0 {
			q.Category = "vitamins"
		}
		if i%5 == 0 {
			q.Tag = "first-aid"
		}
		if i%7 < 3 {
			q.MinPrice = int64(i * 37)
		}
		if i%11 < 5 {
			q.MaxPrice = int64(i * 101)
		}
		q.InStock, q.HSA = i%2 == 0, i%13 < 6
		q.Rx = []string{"", "only", "none"}[i%3]
		q.Sort = []string{"", catalog.SortRelevance, catalog.SortName, catalog.SortPriceAsc, catalog.SortNewest}[i%5]
		want := q.Values().Encode()
		if got := q.Encode(); got != want {
			t.Fatalf("%+v: Encode %q, Values().Encode() %q", q, got, want)
		}
		if want != "" {
			want = "?" + want
		}
		if got := q.URL("/products"); got != "/products"+want {
			t.Fatalf("%+v: URL %q, want %q", q, got, "/products"+want)
		}
	}
}

// TestFormatDecimal compares FormatDecimal and FormatPrice with the fmt
// formatting they had before.
func TestFormatDecimal(t *testing.T) {
	old := func(minor int64, separators bool) string {
		sign := ""
		if minor < 0 {
			sign, minor = "-", -minor
		}
		whole := fmt.Sprint(minor / 100)
		if separators {
			for i := len(whole) - 3; i > 0; i -= 3 {
				whole = whole[:i] + "," + whole[i:]
			}
		}
		return fmt.Sprintf("%s%s.%02d", sign, whole, minor%100)
	}
	for _, n := range []int64{0, 1, 9, 10, 99, 100, 101, 1299, 129950, 100000, 123456789, 99999999999, -1, -99, -100, -123456} {
		if got, want := catalog.FormatDecimal(n), old(n, false); got != want {
			t.Errorf("FormatDecimal(%d) = %q, want %q", n, got, want)
		}
		if got, want := catalog.FormatPrice(n, "USD"), "$"+old(n, true); n >= 0 && got != want {
			t.Errorf("FormatPrice(%d) = %q, want %q", n, got, want)
		}
	}
}
