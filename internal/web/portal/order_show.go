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
	t := tenant.FromContext(r.Context())
	if d.Returns, err = h.orders.Returns(r.Context(), t.ID, o); err != nil {
		return err
	}
	if o.Status == orders.Delivered {
		at, err := h.orders.DeliveredAt(r.Context(), t.ID, o.ID)
		if err != nil {
			return err
		}
		e, err := h.orders.Eligibility(r.Context(), t.ID, o, at)
		if err != nil {
			return err
		}
		d.CanReturn, d.ReturnUntil = e.Open, e.Until.Format("2 January 2006")
	}
	// A fixed confirmation chosen by key: nothing from the URL is shown.
	d.ReturnAsked = r.URL.Query().Get("done") == "return"
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
	// Returns are the order's returns with their status; CanReturn offers
	// the return form until ReturnUntil; ReturnAsked confirms a request.
	Returns     []*orders.Return
	CanReturn   bool
	ReturnUntil string
	ReturnAsked bool
}
