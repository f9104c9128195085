package portal

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/billing"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// hsaData is an HSA/FSA receipt page.
type hsaData struct {
	R *billing.HSAReceipt
	// PDF is the address of the same receipt as a PDF.
	PDF string
	// Back is the page the receipt was reached from.
	Back, BackLabel string
}

// orderHSA opens an order's HSA/FSA receipt (billing class: NotFound for
// anyone else's order; audited as billing.read).
func (h *Handlers) orderHSA(r *http.Request) (*billing.HSAReceipt, error) {
	return h.billing.HSAOrder(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"))
}

// showOrderHSA renders an order's HSA/FSA receipt for print:
// GET /account/orders/{id}/hsa-receipt.
func (h *Handlers) showOrderHSA(w http.ResponseWriter, r *http.Request) error {
	rc, err := h.orderHSA(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	return h.render(w, r, h.pages.hsa, http.StatusOK, "HSA/FSA receipt", hsaData{R: rc, PDF: "/account/orders/" + id + "/hsa-receipt.pdf",
		Back: "/account/orders/" + id + "/receipt", BackLabel: "Full receipt"})
}

// downloadOrderHSA sends an order's HSA/FSA receipt as a PDF:
// GET /account/orders/{id}/hsa-receipt.pdf.
func (h *Handlers) downloadOrderHSA(w http.ResponseWriter, r *http.Request) error {
	rc, err := h.orderHSA(r)
	if err != nil {
		return err
	}
	return sendPDF(w, rc, "hsa-fsa-receipt-"+rc.Reference+".pdf")
}

// yearHSA opens the signed-in patient's HSA/FSA receipt of a year; the name
// printed on it is their own, opened for them (audited, their own request).
func (h *Handlers) yearHSA(r *http.Request) (*billing.HSAReceipt, error) {
	sess, err := web.Session(r)
	if err != nil {
		return nil, err
	}
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		return nil, apperr.NotFoundError()
	}
	t := tenant.FromContext(r.Context())
	acct, err := h.accounts.Account(r.Context(), t.ID, sess.UserID, access.PurposeSelf)
	if err != nil {
		return nil, err
	}
	return h.billing.HSAYear(r.Context(), t.ID, sess.UserID, year, acct.Name.Reveal())
}

// showYearHSA renders the patient's HSA/FSA receipt of a calendar year, for
// print: GET /account/billing/{year}/hsa-receipt.
func (h *Handlers) showYearHSA(w http.ResponseWriter, r *http.Request) error {
	rc, err := h.yearHSA(r)
	if err != nil {
		return err
	}
	return h.render(w, r, h.pages.hsa, http.StatusOK, "HSA/FSA receipt", hsaData{R: rc,
		PDF: "/account/billing/" + r.PathValue("year") + "/hsa-receipt.pdf", Back: "/account/billing", BackLabel: "Billing"})
}

// downloadYearHSA sends the patient's HSA/FSA receipt of a year as a PDF:
// GET /account/billing/{year}/hsa-receipt.pdf.
func (h *Handlers) downloadYearHSA(w http.ResponseWriter, r *http.Request) error {
	rc, err := h.yearHSA(r)
	if err != nil {
		return err
	}
	return sendPDF(w, rc, "hsa-fsa-receipt-"+r.PathValue("year")+".pdf")
}

// sendPDF writes a receipt as a PDF download. It is made in memory first so
// that a failure is an error page, never half a file. Why no-store: the PDF
// is PHI (what was bought, by whom) and must not be kept by a browser cache
// or a proxy; why the file name holds only the order reference or the year:
// file names end up in download lists and logs.
func sendPDF(w http.ResponseWriter, rc *billing.HSAReceipt, name string) error {
	var buf bytes.Buffer
	if err := billing.WritePDF(&buf, rc); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err := w.Write(buf.Bytes())
	return err
}
