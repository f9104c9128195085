package shop_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

var address = url.Values{"name": {"Pat Doe"}, "line1": {"1 Main St"}, "city": {"Springfield"}, "region": {"NY"},
	"postal_code": {"10001"}, "shipping": {"express"}, "gateway": {"test"}}

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

var orderURL = regexp.MustCompile(`^/account/orders/([0-9a-f-]{36})$`)

// TestCheckout walks checkout through HTTP: bad input re-renders the form
// with its errors, a forged price changes nothing, the order shows to its
// owner only, the email says nothing of what was bought, reorder refills the
// cart.
func TestCheckout(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		p := &catalog.Product{Name: "Blood Pressure Monitor", Variants: []catalog.Variant{{SKU: "BPM-1", Price: 4000, Stock: 5}}}
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
			t.Fatal(err)
		}
		v := p.Variants[0]
		patient := s.NewPerson(t, access.RolePatient)
		c := s.ClientAs(t, patient)

		// Anonymous visitors are sent to sign in.
		if r, _ := testkit.Do(t, s.Client(), s.NewRequest(t, "GET", "/checkout", nil)); r.StatusCode != 303 ||
			!strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Fatalf("anonymous checkout: %d %s", r.StatusCode, r.Header.Get("Location"))
		} else if _, body := testkit.Do(t, s.Client(), s.NewRequest(t, "GET", r.Header.Get("Location"), nil)); !strings.Contains(body, "to check out") ||
			!strings.Contains(body, "health information") {
			// The sign-in page says why an account is needed.
			t.Fatalf("the sign-in page does not say why checkout needs an account:\n%s", body)
		}
		// An empty cart cannot be checked out.
		if r, body := testkit.Do(t, c, s.NewRequest(t, "POST", "/checkout", address)); r.StatusCode != 422 || !strings.Contains(body, "Your cart is empty") {
			t.Fatalf("empty cart: %d", r.StatusCode)
		}
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/cart/items", url.Values{"variant": {v.ID}, "quantity": {"2"}})); r.StatusCode != 303 {
			t.Fatalf("add: %d", r.StatusCode)
		}
		if r, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/checkout", nil)); r.StatusCode != 200 || !strings.Contains(body, "Blood Pressure Monitor") {
			t.Fatalf("checkout page: %d", r.StatusCode)
		}
		// Bad input: errors beside the fields, nothing stored.
		r, body := testkit.Do(t, c, s.NewRequest(t, "POST", "/checkout", with(address, "line1", "", "region", "ZZ", "shipping", "teleport")))
		if r.StatusCode != 422 || !strings.Contains(body, `id="f-line1-error"`) || !strings.Contains(body, `id="f-region-error"`) {
			t.Fatalf("bad address: %d", r.StatusCode)
		}
		// A ZIP code that is not one: refused, beside the field.
		for _, zip := range []string{"ABCDE", "1234", "123456", "10001-12"} {
			r, body = testkit.Do(t, c, s.NewRequest(t, "POST", "/checkout", with(address, "postal_code", zip)))
			if r.StatusCode != 422 || !strings.Contains(body, `id="f-postal_code-error"`) || !strings.Contains(body, "5-digit ZIP code") {
				t.Fatalf("ZIP %q: %d", zip, r.StatusCode)
			}
		}
		if r, _ = testkit.Do(t, c, s.NewRequest(t, "POST", "/checkout", with(address, "postal_code", "10001-1234"))); r.StatusCode != 200 {
			t.Fatalf("ZIP+4: %d", r.StatusCode)
		}
		// A code that does not exist: the error is on the code field.
		r, body = testkit.Do(t, c, s.NewRequest(t, "POST", "/checkout", with(address, "promo", "NOSUCHCODE")))
		if r.StatusCode != 422 || !strings.Contains(body, `id="f-promo-error"`) || !strings.Contains(body, "not valid") {
			t.Fatalf("unknown code: %d", r.StatusCode)
		}
		// Review: 2 × 40.00 + express 14.99 + NY 4% of 80.00 = 3.20 → 98.19.
		r, body = testkit.Do(t, c, s.NewRequest(t, "POST", "/checkout", address))
		if r.StatusCode != 200 || !strings.Contains(body, "$98.19") {
			t.Fatalf("review: %d", r.StatusCode)
		}
		// "Change" on the review brings the form back with what was typed.
		r, body = testkit.Do(t, c, s.NewRequest(t, "POST", "/checkout", with(address, "line1", "7 Typed Lane", "change", "1")))
		if r.StatusCode != 200 || !strings.Contains(body, `value="7 Typed Lane"`) || !strings.Contains(body, `value="NY" selected`) ||
			!strings.Contains(body, `id="ship-express" name="shipping" value="express" checked`) {
			t.Fatalf("change after review: %d\n%s", r.StatusCode, body)
		}
		// Pay, with a forged price and total in the form: ignored.
		r, _ = testkit.Do(t, c, s.NewRequest(t, "POST", "/checkout/pay", with(address, "price", "1", "total", "1", "amount", "1")))
		m := orderURL.FindStringSubmatch(r.Header.Get("Location"))
		if r.StatusCode != 303 || m == nil {
			t.Fatalf("pay: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		orderID := m[1]
		if gw := s.Services().TestGateway; gw.Charges() != 1 || gw.Total() != 9819 {
			t.Fatalf("charged %d times, %d in all", gw.Charges(), gw.Total())
		}
		_, body = testkit.Do(t, c, s.NewRequest(t, "GET", "/account/orders/"+orderID, nil))
		refRE := regexp.MustCompile(`Order ([A-Z0-9]{4}-[A-Z0-9]{4})`)
		ref := refRE.FindStringSubmatch(body)
		if ref == nil || !strings.Contains(body, "1 Main St") || !strings.Contains(body, "Paid") {
			t.Fatal("order page")
		}
		if _, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/account/orders", nil)); !strings.Contains(body, ref[1]) {
			t.Fatal("order list")
		}
		if _, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/cart", nil)); !strings.Contains(body, "Your cart is empty") {
			t.Fatal("the cart was not emptied")
		}
		// The confirmation email: the reference and a link, nothing bought.
		sys := access.WithActor(ctx, access.System("test", s.Tenant.ID))
		items, err := s.Services().Outbox.Recent(sys, s.Tenant.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, it := range items {
			if it.To.Reveal() == patient.Email && strings.Contains(it.Subject, ref[1]) {
				found = true
				if strings.Contains(it.Subject+it.Text.Reveal(), "Monitor") || strings.Contains(it.Text.Reveal(), "Main St") ||
					strings.Contains(it.Text.Reveal(), orderID) {
					t.Fatalf("the email tells too much: %s", it.Text.Reveal())
				}
			}
		}
		if !found {
			t.Fatal("no confirmation email")
		}
		// Audited: the views of the order.
		var views int
		if err := s.Stores.Audit.Reader().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = 'order.read' AND actor_id = $1`, patient.ID).Scan(&views); err != nil || views < 1 {
			t.Fatalf("order views audited: %d %v", views, err)
		}

		// Another patient, another tenant's admin and a made-up id: the same 404.
		otherP := s.NewPerson(t, access.RolePatient)
		oc := s.ClientAs(t, otherP)
		_, plainOther := testkit.Do(t, oc, s.NewRequest(t, "GET", "/no/such/page", nil))
		for _, path := range []string{"/account/orders/" + orderID, "/account/orders/" + id.New(), "/account/orders/nope"} {
			r, body := testkit.Do(t, oc, s.NewRequest(t, "GET", path, nil))
			if r.StatusCode != 404 || strip(body) != strip(plainOther) {
				t.Errorf("other patient on %s: %d", path, r.StatusCode)
			}
			r, _ = testkit.Do(t, oc, s.NewRequest(t, "POST", path+"/reorder", url.Values{}))
			if r.StatusCode != 404 {
				t.Errorf("other patient reorders %s: %d", path, r.StatusCode)
			}
		}
		other := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Pharmacy", Hostnames: []string{"other.test"},
			Theme: tenant.DefaultTheme, CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
		if err := store.NewTenants(s.Stores.Catalog).Create(ctx, other); err != nil {
			t.Fatal(err)
		}
		foreign := s.NewPersonIn(t, other, access.RolePatient)
		fc := s.ClientAs(t, foreign)
		for _, host := range []string{"other.test", ""} {
			req := s.NewRequest(t, "GET", "/account/orders/"+orderID, nil)
			if host != "" {
				req.Host = host
			}
			if r, _ := testkit.Do(t, fc, req); r.StatusCode != 404 && r.StatusCode != 303 {
				t.Errorf("another tenant's patient (host %q): %d", host, r.StatusCode)
			}
		}

		// Reorder: one click refills the cart.
		r, _ = testkit.Do(t, c, s.NewRequest(t, "POST", "/account/orders/"+orderID+"/reorder", url.Values{}))
		if r.StatusCode != 303 || r.Header.Get("Location") != "/cart" {
			t.Fatalf("reorder: %d", r.StatusCode)
		}
		if _, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/cart", nil)); !strings.Contains(body, `value="2"`) {
			t.Fatal("reorder did not fill the cart")
		}
		// The next checkout starts from the last order's address; another
		// patient's starts empty.
		if _, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/checkout", nil)); !strings.Contains(body, `value="1 Main St"`) {
			t.Fatal("the last address was not filled in")
		}
		if _, body := testkit.Do(t, oc, s.NewRequest(t, "GET", "/checkout", nil)); strings.Contains(body, "1 Main St") {
			t.Fatal("another patient's checkout shows the address")
		}

		// Pay by invoice: the order is confirmed by email at once, with a
		// link to the order, where the invoice is; nothing bought in it.
		r, _ = testkit.Do(t, c, s.NewRequest(t, "POST", "/checkout/pay", with(address, "gateway", "invoice")))
		m = orderURL.FindStringSubmatch(r.Header.Get("Location"))
		if r.StatusCode != 303 || m == nil {
			t.Fatalf("pay by invoice: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		_, body = testkit.Do(t, c, s.NewRequest(t, "GET", "/account/orders/"+m[1], nil))
		invRef := refRE.FindStringSubmatch(body)
		if invRef == nil || !strings.Contains(body, "Invoice for order "+invRef[1]) || strings.Contains(body, "We will send you an invoice") {
			t.Fatalf("invoice order page:\n%s", body)
		}
		items, err = s.Services().Outbox.Recent(sys, s.Tenant.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		found = false
		for _, it := range items {
			if it.To.Reveal() == patient.Email && it.Subject == "Order "+invRef[1]+" is placed: your invoice" {
				found = true
				if !strings.Contains(it.Text.Reveal(), s.URL+"/account/orders/"+m[1]) || strings.Contains(it.Subject+it.Text.Reveal(), "Monitor") ||
					strings.Contains(it.Text.Reveal(), "Main St") {
					t.Fatalf("the invoice email: %s", it.Text.Reveal())
				}
			}
		}
		if !found {
			t.Fatal("no email for the order placed by invoice")
		}
	})
}

// strip removes the request id, the one thing two 404 pages may differ in.
func strip(s string) string {
	return regexp.MustCompile(`<code>[0-9a-f]+</code>`).ReplaceAllString(s, "")
}
