package staff

import (
	"maps"
	"net/http"
	"slices"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// step returns the handler of one step on the order of the URL:
// POST /staff/orders/{id}/{step}, one route a step (routes.go registers them
// over orders.Steps). Who may take each step and what it does (the order
// service checks both; orders.Step.Allowed chooses the page's buttons):
//
//	mark-paid  customer service   an invoice order was paid: pending_payment → paid, then awaiting_rx
//	                              when an item needs a prescription; the stock is confirmed
//	release    pharmacist         the prescription is verified: awaiting_rx → ready
//	prepare    fulfillment,       a paid order with nothing to verify is being prepared: paid → ready
//	           customer service
//	ship       fulfillment        handed to the carrier: ready → shipped
//	deliver    fulfillment,       shipped → delivered
//	           customer service
//	cancel     customer service   before it ships: its stock is given back and any payment refunded
//	refund     customer service   through its gateway, once however often it is posted; an invoice
//	                              order is marked refunded and its money returned by hand; stock
//	                              comes back if it had not shipped
//
// After the step the browser goes back to the order's page (so a reload does
// not repeat it). A step the role may not take, or one the order's status
// does not allow, shows the order again with the reason and changes nothing;
// a missing or foreign order is the 404.
func (h *Handlers) step(st orders.Step) httpx.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		t := tenant.FromContext(r.Context())
		orderID := r.PathValue("id")
		links := orders.Links{Brand: t.Name, BaseURL: web.BaseURL(r, t)}
		var res *orders.Advanced
		var err error
		if st == orders.StepShip {
			// Shipping records the carrier and tracking number too.
			res, err = h.orders.Ship(r.Context(), t.ID, orderID, orders.Shipment{Carrier: r.PostFormValue("carrier"), Tracking: r.PostFormValue("tracking")}, links)
		} else {
			res, err = h.orders.Advance(r.Context(), t.ID, orderID, st, links)
		}
		if err != nil {
			switch apperr.CodeOf(err) {
			case apperr.Forbidden, apperr.Conflict, apperr.Invalid, apperr.Unavailable:
				return h.orderPage(w, r, httpx.Status(apperr.CodeOf(err)), "", fieldsMessage(err))
			}
			return err
		}
		key := string(st)
		if res.ManualRefund && (st == orders.StepRefund || st == orders.StepCancel) {
			key = "manual"
		}
		// Not an open redirect: the path is local, the order id is the stored
		// one (a UUID) and key is one of the fixed step names.
		http.Redirect(w, r, "/staff/orders/"+res.OrderID+"?done="+key, http.StatusSeeOther) //nolint:gosec // see above
		return nil
	}
}

// fieldsMessage is an error's safe message followed by what is wrong with
// each field (sorted), for the order page's one error box.
func fieldsMessage(err error) string {
	msg := apperr.SafeMessage(err)
	if e := apperr.As(err); e != nil && len(e.Fields) > 0 {
		keys := slices.Sorted(maps.Keys(e.Fields))
		for _, k := range keys {
			msg += " " + e.Fields[k]
		}
	}
	return msg
}
