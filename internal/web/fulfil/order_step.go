package fulfil

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// step takes one step on the order of the URL and sends the browser back to
// the order's page (so a reload does not repeat it). A step the role may not
// take, or one the order's status does not allow, shows the order again with
// the reason and changes nothing; a missing or foreign order is the 404.
func (h *Handlers) step(w http.ResponseWriter, r *http.Request, st orders.Step) error {
	t := tenant.FromContext(r.Context())
	orderID := r.PathValue("id")
	res, err := h.orders.Advance(r.Context(), t.ID, orderID, st, orders.Links{Brand: t.Name, BaseURL: web.BaseURL(r, t)})
	if err != nil {
		switch apperr.CodeOf(err) {
		case apperr.Forbidden, apperr.Conflict, apperr.Invalid, apperr.Unavailable:
			return h.orderPage(w, r, httpx.Status(apperr.CodeOf(err)), "", apperr.SafeMessage(err))
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
