package shop_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestVolumePricesThroughCheckout: the cart page, the review and the order
// charge the price break for the line's quantity, with a percentage code on
// top; prices forged in the forms are ignored.
func TestVolumePricesThroughCheckout(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		p := &catalog.Product{Name: "Test Strips", Variants: []catalog.Variant{{SKU: "TS-50", Price: 999, Stock: 50,
			PriceBreaks: []catalog.PriceBreak{{MinQuantity: 3, UnitPrice: 899}, {MinQuantity: 10, UnitPrice: 799}}}}}
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
			t.Fatal(err)
		}
		v := p.Variants[0]
		code := promo.Promotion{ID: id.New(), TenantID: s.Tenant.ID, Code: "PCT10", Kind: promo.Percent, Value: 10,
			StartsAt: s.Clock.Now().Add(-time.Hour), CreatedAt: s.Clock.Now()}
		if err := s.Promotions().Create(ctx, &code); err != nil {
			t.Fatal(err)
		}
		if _, body := testkit.Do(t, s.Client(), s.NewRequest(t, "GET", "/products/test-strips", nil)); !strings.Contains(body, "3 or more: $8.99 each") ||
			!strings.Contains(body, "10 or more: $7.99 each") {
			t.Fatalf("product page:\n%s", body)
		}
		c := s.ClientAs(t, s.NewPerson(t, access.RolePatient))
		forged := url.Values{"variant": {v.ID}, "quantity": {"2"}, "price": {"1"}, "unit_price": {"1"}, "price_breaks": {"2:1"}}
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/cart/items", forged)); r.StatusCode != 303 {
			t.Fatalf("add: %d", r.StatusCode)
		}
		// N-1: the base price.
		if _, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/cart", nil)); !strings.Contains(body, "$9.99") || !strings.Contains(body, "$19.98") {
			t.Fatalf("cart of 2:\n%s", body)
		}
		// N: the break.
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/cart/items/"+v.ID, url.Values{"quantity": {"3"}, "price": {"1"}})); r.StatusCode != 303 {
			t.Fatalf("update: %d", r.StatusCode)
		}
		if _, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/cart", nil)); !strings.Contains(body, "$8.99") || !strings.Contains(body, "$26.97") || strings.Contains(body, "$9.99") {
			t.Fatalf("cart of 3:\n%s", body)
		}
		// 3 × 8.99 = 26.97; 10 % off = 2.70; express 14.99; NY 4 % of 24.27 = 0.97 → 40.23.
		pay := with(address, "promo", "pct10", "price", "1", "unit_price", "1", "total", "1", "amount", "1", "subtotal", "1")
		r, body := testkit.Do(t, c, s.NewRequest(t, "POST", "/checkout", pay))
		if r.StatusCode != 200 || !strings.Contains(body, "$8.99") || !strings.Contains(body, "$40.23") {
			t.Fatalf("review: %d\n%s", r.StatusCode, body)
		}
		r, _ = testkit.Do(t, c, s.NewRequest(t, "POST", "/checkout/pay", pay))
		m := orderURL.FindStringSubmatch(r.Header.Get("Location"))
		if r.StatusCode != 303 || m == nil {
			t.Fatalf("pay: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if gw := s.Services().TestGateway; gw.Charges() != 1 || gw.Total() != 4023 {
			t.Fatalf("charged %d times, %d in all", gw.Charges(), gw.Total())
		}
		if _, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/account/orders/"+m[1], nil)); !strings.Contains(body, "$8.99") || !strings.Contains(body, "$40.23") {
			t.Fatalf("order page:\n%s", body)
		}
	})
}
