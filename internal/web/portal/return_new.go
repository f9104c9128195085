package portal

import (
	"net/http"
	"strconv"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// returnData is the return form of a delivered order.
type returnData struct {
	O     *orders.Order
	E     *orders.ReturnEligibility
	Lines []returnLine
	Form  *web.Form
}

// returnLine is one order line on the return form.
type returnLine struct {
	Index int
	Item  orders.Item
	// Left is how many units may still be returned; Why, when set, says
	// why the line cannot be returned.
	Left    int64
	Why     string
	Choices []int64
}

// newReturn shows the return form: GET /account/orders/{id}/return. The
// order is opened like its page (another patient's, another tenant's and an
// unknown id are the same 404, audited); the form says what may be returned
// and until when, or why nothing can be.
func (h *Handlers) newReturn(w http.ResponseWriter, r *http.Request) error {
	return h.returnForm(w, r, http.StatusOK, &web.Form{})
}

// returnForm renders the return form with what was typed and its errors.
func (h *Handlers) returnForm(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	t := tenant.FromContext(r.Context())
	o, err := h.orders.Get(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	// Why the owner only: a return is the buyer's choice (RequestReturn
	// refuses anyone else), so a proxy who may read the order is not
	// offered a form it could not send; the same 404 as a missing order.
	if a, ok := access.ActorFrom(r.Context()); !ok || a.ID != o.UserID {
		return apperr.NotFoundError()
	}
	at, err := h.orders.DeliveredAt(r.Context(), t.ID, o.ID)
	if err != nil {
		return err
	}
	e, err := h.orders.Eligibility(r.Context(), t.ID, o, at)
	if err != nil {
		return err
	}
	d := returnData{O: o, E: e, Form: f}
	for i, it := range o.Items {
		l := returnLine{Index: i, Item: it}
		if i < len(e.Left) {
			l.Left, l.Why = e.Left[i], e.Reason[i]
		}
		if l.Why == "" && l.Left == 0 {
			l.Why = "Already returned."
		}
		for q := int64(0); q <= l.Left && l.Why == ""; q++ {
			l.Choices = append(l.Choices, q)
		}
		d.Lines = append(d.Lines, l)
	}
	return h.render(w, r, h.pages.returnNew, status, "Return items of order "+o.Reference, d)
}

// createReturn takes a return request: POST /account/orders/{id}/return,
// fields qty-<line> (units), opened-<line> ("yes") and reason. Bad input
// shows the form again with each field's error and what was typed; nothing
// is stored. Then back to the order's page, which shows the return.
func (h *Handlers) createReturn(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	req := orders.ReturnRequest{Quantities: map[int]int64{}, Opened: map[int]bool{}, Reason: f.Value("reason"),
		Links: orders.Links{Brand: t.Name, BaseURL: web.BaseURL(r, t)}}
	for i := range 100 {
		k := strconv.Itoa(i)
		if v := f.Value("qty-" + k); v != "" {
			q, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				q = -1 // refused by the service as out of range, on its field
			}
			req.Quantities[i] = q
		}
		if f.Value("opened-"+k) == "yes" {
			req.Opened[i] = true
		}
	}
	if _, err := h.orders.RequestReturn(r.Context(), t.ID, r.PathValue("id"), req); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.returnForm(w, r, status, f)
	}
	// Not an open redirect: a local path with the order's id from the URL,
	// which the service just found (a UUID), and a fixed key.
	http.Redirect(w, r, "/account/orders/"+r.PathValue("id")+"?done=return", http.StatusSeeOther) //nolint:gosec // see above
	return nil
}
