package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/tenant"
)

// showOrder renders one order: GET /account/orders/{id}. Another patient's
// order, another tenant's and an unknown id are the same 404; the view is
// audited.
func (h *Handlers) showOrder(w http.ResponseWriter, r *http.Request) error {
	o, err := h.orders.Get(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := orderData{O: o, Ordered: o.CreatedAt.Format("2 January 2006")}
	if o.Status == orders.PendingPayment {
		switch {
		case o.Gateway == orders.InvoiceGateway:
			// An invoice, payable by transfer, or online when the shop has
			// a gateway with a payment page.
			d.Invoice, d.InvoiceOnline = true, h.orders.PaysOnPage(o)
		case h.orders.PaysOnPage(o) && r.URL.Query().Get("paid") == "1":
			d.Confirming = true
		case h.orders.PaysOnPage(o):
			d.PayNow = true
		default:
			d.Confirming = true
		}
	}
	return h.render(w, r, h.pages.order, http.StatusOK, "Order "+o.Reference, d)
}

type orderData struct {
	O       *orders.Order
	Ordered string
	// PayNow offers the gateway's payment page (GET /account/orders/{id}/pay).
	PayNow bool
	// Confirming: paid on the gateway's page (or the answer was lost), and
	// the gateway's confirmation has not arrived yet.
	Confirming bool
	// Invoice: the order waits for payment by invoice.
	Invoice bool
	// InvoiceOnline: the invoice can also be paid now on the online
	// gateway's page (GET /account/orders/{id}/pay).
	InvoiceOnline bool
}
