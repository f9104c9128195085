package portal

import (
	"net/http"
	"net/url"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// payOrder sends the browser to the payment gateway's page for an unpaid
// order: GET /account/orders/{id}/pay, the order page's "Pay now" link.
// Why a link and a GET, not the checkout form's POST: the CSP's form-action
// 'self' refuses a form whose answer redirects off-site, and card details
// must be typed on the gateway's page, never on ours.
func (h *Handlers) payOrder(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	to, err := h.orders.PaymentPage(r.Context(), t.ID, r.PathValue("id"), orders.Links{Brand: t.Name, BaseURL: web.BaseURL(r, t)})
	if err != nil {
		return err
	}
	// Only an absolute https page (or http on a test's loopback) is a place
	// to send a patient.
	u, err := url.Parse(to)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return apperr.Internalf("payment page address %q is not a web address", u.Redacted())
	}
	w.Header().Set("Cache-Control", "no-store")
	//nolint:gosec // G710: the address is the gateway's page, from its API over TLS; nothing of the request is in it
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
	return nil
}
