package server_test

import (
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

const testPaymentsBanner = "Test payments: no money moves"

// TestTestPaymentsBannerOnEveryPage: while the test gateway is offered, the
// shop, the sign-in page, a product list and an error page all carry the
// banner; without it, none does.
func TestTestPaymentsBannerOnEveryPage(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		for _, on := range []bool{true, false} {
			s := testkit.StartServer(t, e, func(c *config.Config) {
				if !on {
					c.PaymentGateways, c.AllowTestPayments = []string{"invoice"}, false
				}
			})
			c := s.Client()
			for _, path := range []string{"/", "/login", "/products", "/no-such-page"} {
				r, body := testkit.Do(t, c, s.NewRequest(t, "GET", path, nil))
				if r.StatusCode != 200 && r.StatusCode != 404 {
					t.Fatalf("%s: %d", path, r.StatusCode)
				}
				if strings.Contains(body, testPaymentsBanner) != on {
					t.Errorf("test gateway on=%v: %s (%d) shows the banner=%v", on, path, r.StatusCode, !on)
				}
			}
		}
	})
}

// TestTestGatewayNeedsItsFlagInCode: a configuration built in code, not
// loaded from flags, cannot offer the test gateway without saying so.
func TestTestGatewayNeedsItsFlagInCode(t *testing.T) {
	cfg := config.Defaults()
	cfg.PaymentGateways = []string{"test"}
	if _, err := server.Gateways(cfg, nil); err == nil || !strings.Contains(err.Error(), "allow-test-payments") {
		t.Fatalf("test gateway without its flag: %v", err)
	}
	cfg.AllowTestPayments = true
	if gws, err := server.Gateways(cfg, nil); err != nil || len(gws) != 1 {
		t.Fatalf("with the flag: %v %v", gws, err)
	}
}
