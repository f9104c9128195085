package billing

import (
	"fmt"
	"io"
	"strconv"

	"codeberg.org/go-pdf/fpdf"

	"github.com/salvehealth/salve/internal/catalog"
)

// WritePDF writes an HSA/FSA receipt as a one-or-more page US Letter PDF:
// the merchant, the patient, the period, a table of the eligible items (date
// of purchase, order, description, quantity, amount) and the eligible total,
// the form plan administrators accept for reimbursement.
//
// Why uncompressed: a receipt is a few kilobytes either way, and plain
// content streams let a test (and an auditor) read the text without a PDF
// library. Why no patient name in the document's metadata: the file's
// properties are shown by file managers and indexed by desktop search; the
// name is printed on the page only.
func WritePDF(w io.Writer, r *HSAReceipt) error {
	pdf := fpdf.New("P", "mm", "Letter", "")
	pdf.SetCompression(false)
	pdf.SetCreator("Salve", true)
	pdf.SetTitle("HSA/FSA itemized receipt", true)
	pdf.SetMargins(18, 18, 18)
	pdf.SetAutoPageBreak(true, 18)
	// The core fonts are in Windows-1252: the translator maps the text
	// (em dashes, accents) into it.
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.AddPage()

	pdf.SetFont("Helvetica", "B", 16)
	pdf.CellFormat(0, 9, tr("Itemized receipt for HSA/FSA reimbursement"), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(0, 5, tr(r.Period+" · issued "+r.Issued.Format("January 2, 2006")), "", 1, "L", false, 0, "")
	pdf.Ln(4)

	label := func(k, v string) {
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(32, 6, tr(k), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, 6, tr(v), "", "L", false)
	}
	label("Merchant", r.Merchant.Name)
	if r.Merchant.Address != "" {
		label("Address", r.Merchant.Address)
	}
	label("Patient", r.Patient)
	pdf.Ln(4)

	cols := []struct {
		title string
		width float64
		align string
	}{{"Date", 26, "L"}, {"Order", 24, "L"}, {"Item", 80, "L"}, {"Qty", 12, "R"}, {"Amount", 0, "R"}}
	pdf.SetFont("Helvetica", "B", 10)
	pdf.SetFillColor(235, 235, 235)
	for i, c := range cols {
		ln := 0
		if i == len(cols)-1 {
			ln = 1
		}
		pdf.CellFormat(c.width, 7, c.title, "B", ln, c.align, true, 0, "")
	}
	pdf.SetFont("Helvetica", "", 10)
	for _, it := range r.Items {
		desc := it.Description
		if it.RequiresPrescription {
			desc += " (Rx)"
		}
		vals := []string{it.Date.Format("01/02/2006"), it.Reference, fit(pdf, tr(desc), cols[2].width-1), strconv.FormatInt(it.Quantity, 10),
			catalog.FormatPrice(it.Amount, it.Currency)}
		for i, c := range cols {
			ln := 0
			if i == len(cols)-1 {
				ln = 1
			}
			pdf.CellFormat(c.width, 6, vals[i], "", ln, c.align, false, 0, "")
		}
	}
	if len(r.Items) == 0 {
		pdf.CellFormat(0, 7, tr("No HSA/FSA-eligible items were paid for in this period."), "", 1, "L", false, 0, "")
	}
	pdf.SetFont("Helvetica", "B", 11)
	pdf.CellFormat(0, 8, tr("Eligible total: "+catalog.FormatPrice(r.Total, r.Currency)), "T", 1, "R", false, 0, "")
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "", 9)
	pdf.MultiCell(0, 5, tr("Only items marked eligible for payment from a health savings account (HSA) or flexible spending "+
		"account (FSA) are listed; other items of the same orders are left out. Amounts are before tax and shipping."), "", "L", false)
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("hsa receipt pdf: %w", err)
	}
	return nil
}

// fit shortens s with an ellipsis until it fits width (mm) in the current
// font, so that a long product name never runs into the next column.
func fit(pdf *fpdf.Fpdf, s string, width float64) string {
	if pdf.GetStringWidth(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && pdf.GetStringWidth(string(r)+"...") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "..."
}
