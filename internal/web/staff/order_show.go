package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/tenant"
)

// orderData is a staff member's view of one order.
type orderData struct {
	O       *orders.Order
	Ordered string
	Steps   []orders.Step
	// ShowMoney is whether prices and totals are shown: to customer
	// service only, whose work includes billing.
	ShowMoney bool
	Done      string
	Error     string
	// Carriers are offered on the ship step's form.
	Carriers []orders.Carrier
	// Returns are the order's returns with the steps the viewer may take.
	Returns []staffReturn
}

// staffReturn is one return on the staff order page.
type staffReturn struct {
	R     *orders.Return
	Steps []orders.ReturnStep
}

// done are the confirmations of a step, chosen by the redirect's ?done=
// (fixed texts: nothing from the URL is shown).
var done = map[string]string{
	string(orders.StepMarkPaid): "The invoice is marked paid.",
	string(orders.StepRelease):  "The prescription is verified and the order released for preparation.",
	string(orders.StepPrepare):  "The order is being prepared.",
	string(orders.StepShip):     "The order is marked shipped.",
	string(orders.StepDeliver):  "The order is marked delivered.",
	string(orders.StepCancel):   "The order is cancelled and its stock given back; any payment was refunded.",
	string(orders.StepRefund):   "The order is refunded through its payment gateway.",
	"manual":                    "The order is marked as refunded. It was paid by invoice: give the money back by hand.",
	"return-approve":            "The return is approved; the patient was told to send the items back.",
	"return-reject":             "The return is rejected; the patient was told.",
	"return-receive":            "The returned items are received.",
	"return-refund":             "The return is refunded through the payment gateway.",
	"return-manual":             "The return is marked refunded. The order was paid by invoice: give the money back by hand.",
}

// showOrder renders one order for staff: GET /staff/orders/{id}. The view
// is audited (order.read, with the role's purpose); another tenant's order
// and an unknown id are the plain 404.
func (h *Handlers) showOrder(w http.ResponseWriter, r *http.Request) error {
	return h.orderPage(w, r, http.StatusOK, done[r.URL.Query().Get("done")], "")
}

// orderPage renders the order page with a confirmation or an error.
func (h *Handlers) orderPage(w http.ResponseWriter, r *http.Request, status int, doneMsg, errMsg string) error {
	a, ok := access.ActorFrom(r.Context())
	if !ok {
		return apperr.DeniedError(nil)
	}
	o, err := h.orders.Get(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := orderData{O: o, Ordered: o.CreatedAt.Format("2 January 2006 15:04 MST"), Done: doneMsg, Error: errMsg,
		// Minimum necessary: pharmacists and fulfillment need the items
		// and the address, not what was paid.
		ShowMoney: a.Role == access.RoleCustomerService, Carriers: orders.Carriers}
	for _, st := range orders.Steps {
		if st.Allowed(a.Role, o.Status) {
			d.Steps = append(d.Steps, st)
		}
	}
	rets, err := h.orders.Returns(r.Context(), tenant.FromContext(r.Context()).ID, o)
	if err != nil {
		return err
	}
	for _, ret := range rets {
		sr := staffReturn{R: ret}
		for _, st := range orders.ReturnSteps {
			if st.Allowed(a.Role, ret.Status) {
				sr.Steps = append(sr.Steps, st)
			}
		}
		d.Returns = append(d.Returns, sr)
	}
	return h.render(w, r, h.pages.order, status, "Order "+o.Reference, d)
}
