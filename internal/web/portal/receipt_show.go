package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/billing"
	"github.com/salvehealth/salve/internal/tenant"
)

// receiptData is an order's printable receipt.
type receiptData struct {
	R       *billing.Receipt
	Ordered string
	// Confirming: back from the payment provider's page (?paid=1) while
	// its confirmation has not arrived yet.
	Confirming bool
}

// showReceipt renders an order's itemized receipt, for print:
// GET /account/orders/{id}/receipt. It is read as billing data: the patient,
// or a proxy granted billing; another patient's order, another tenant's and
// an unknown id are the same 404. The view is audited (billing.read).
func (h *Handlers) showReceipt(w http.ResponseWriter, r *http.Request) error {
	rc, err := h.billing.Receipt(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.render(w, r, h.pages.receipt, http.StatusOK, "Receipt for order "+rc.Order.Reference,
		receiptData{R: rc, Ordered: rc.Order.CreatedAt.Format("2 January 2006"), Confirming: rc.PayOnPage && r.URL.Query().Get("paid") == "1"})
}
