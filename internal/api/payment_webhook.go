package api

import (
	"io"
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// stripeWebhook receives Stripe's events: POST /webhooks/stripe, public
// because Stripe calls it, and trusted only through the signature that
// orders.PaymentEvent has the "stripe" gateway (internal/payment/stripe,
// wired by the server) verify over the raw body. A bad signature is a 400
// and changes nothing; an event Salve could not apply now (a store down) is
// a 500, so that Stripe sends it again; anything else is acknowledged.
func (c *Commerce) stripeWebhook(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return apperr.Wrap(err, apperr.Invalid, "The request body could not be read.")
	}
	t := tenant.FromContext(r.Context())
	if err := c.orders.PaymentEvent(r.Context(), t.ID, "stripe", body, r.Header.Get("Stripe-Signature"),
		orders.Links{Brand: t.Name, BaseURL: web.BaseURL(r, t)}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = io.WriteString(w, `{"received":true}`+"\n")
	return err
}
