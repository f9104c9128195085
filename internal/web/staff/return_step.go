package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// returnStep returns the handler of one step on a return of the order of the
// URL: POST /staff/orders/{id}/returns/{return}/{step}. Who may take each
// (the order service checks; orders.ReturnStep.Allowed chooses the buttons):
//
//	approve  customer service           requested → approved
//	reject   customer service           requested or approved → rejected (its units may be asked for again)
//	receive  fulfillment, customer svc  approved → received; "resellable" puts unopened,
//	                                    non-prescription units back in stock
//	refund   customer service           received → refunded: per line through the gateway, once
//
// Then back to the order's page; a refusal shows the page with the reason
// and changes nothing; another order's or tenant's return is the 404.
func (h *Handlers) returnStep(st orders.ReturnStep) httpx.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		t := tenant.FromContext(r.Context())
		orderID := r.PathValue("id")
		links := orders.Links{Brand: t.Name, BaseURL: web.BaseURL(r, t)}
		res, err := h.orders.AdvanceReturn(r.Context(), t.ID, orderID, r.PathValue("return"), st, r.PostFormValue("resellable") == "yes", links)
		if err != nil {
			switch apperr.CodeOf(err) {
			case apperr.Forbidden, apperr.Conflict, apperr.Invalid, apperr.Unavailable:
				return h.orderPage(w, r, httpx.Status(apperr.CodeOf(err)), "", fieldsMessage(err))
			}
			return err
		}
		key := "return-" + string(st)
		if res.ManualRefund {
			key = "return-manual"
		}
		// Not an open redirect: the order id was found by the service (a
		// UUID) and key is one of the fixed step names.
		http.Redirect(w, r, "/staff/orders/"+orderID+"?done="+key, http.StatusSeeOther) //nolint:gosec // see above
		return nil
	}
}
