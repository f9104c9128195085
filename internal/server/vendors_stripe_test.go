package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/vendors"
)

// TestStripeIsPHIFree holds the Stripe integration to its declaration
// (vendors.Builtin: "order reference and amount only"): a patient checks out
// through the whole stack with a name, an address and a product whose name
// says what it treats, and everything Salve sends to Stripe (stripe-mock on
// loopback, behind a recording proxy: paths, queries, headers, bodies) holds
// none of them, nor the patient's email.
func TestStripeIsPHIFree(t *testing.T) {
	in, ok := vendors.NewRegistry(vendors.Builtin()...).Get(vendors.Stripe)
	if !ok || in.CarriesPHI {
		t.Fatalf("stripe is declared %+v", in)
	}
	mock := testkit.StripeMock(t)
	target, err := url.Parse(mock)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen strings.Builder
	proxy := httputil.NewSingleHostReverseProxy(target)
	rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		mu.Lock()
		seen.WriteString(r.Method + " " + r.URL.String() + "\n")
		for k, v := range r.Header {
			seen.WriteString(k + ": " + strings.Join(v, ",") + "\n")
		}
		q, _ := url.QueryUnescape(string(b))
		seen.WriteString(q + "\n")
		mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	defer rec.Close()
	s := testkit.StartServer(t, store.SQLite, func(c *config.Config) {
		c.PaymentGateways = []string{"invoice", "stripe"}
		c.AllowTestPayments = false
		c.StripeSecretKey, c.StripeWebhookSecret, c.StripeAPIURL = "sk_test_123", "whsec_x", rec.URL
	})
	ctx := context.Background()
	const product = "Metformin Diabetes Starter Kit"
	p := &catalog.Product{Name: product, Variants: []catalog.Variant{{SKU: "METF-KIT", Price: 4000, Stock: 5}}}
	if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
		t.Fatal(err)
	}
	patient := s.NewPerson(t, access.RolePatient)
	c := s.ClientAs(t, patient)
	if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/cart/items", url.Values{"variant": {p.Variants[0].ID}, "quantity": {"1"}})); r.StatusCode != 303 {
		t.Fatalf("add: %d", r.StatusCode)
	}
	r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/checkout/pay", url.Values{"name": {"Theodora Quibble"}, "line1": {"742 Evergreen Terrace"},
		"city": {"Springfield"}, "region": {"NY"}, "postal_code": {"10001"}, "shipping": {"express"}, "gateway": {"stripe"}}))
	if r.StatusCode != 303 {
		t.Fatalf("pay: %d", r.StatusCode)
	}
	mu.Lock()
	sent := seen.String()
	mu.Unlock()
	if !strings.Contains(sent, "checkout/sessions") {
		t.Fatalf("nothing reached Stripe:\n%s", sent)
	}
	for _, secret := range []string{"Theodora", "Quibble", "Evergreen", "Springfield", "10001", patient.Email, "Metformin", "Diabetes", "METF-KIT"} {
		if strings.Contains(sent, secret) {
			t.Errorf("Stripe was sent %q:\n%s", secret, sent)
		}
	}
}
