package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/billing"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// billingData is the billing page: the statement and the years that have
// HSA/FSA receipts.
type billingData struct {
	S *billing.Statement
}

// showBilling renders the signed-in patient's bills: every charge, payment
// and refund, the balance due and the unpaid orders with the way to pay
// each: GET /account/billing. One audited access (billing.list) for all.
func (h *Handlers) showBilling(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	st, err := h.billing.Statement(r.Context(), tenant.FromContext(r.Context()).ID, sess.UserID)
	if err != nil {
		return err
	}
	return h.render(w, r, h.pages.billing, http.StatusOK, "Billing", billingData{S: st})
}
