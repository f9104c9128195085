package admin

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
)

// MaxImportBody is the body limit of the CSV import route.
const MaxImportBody = 8 << 20

// exportCSV downloads every product as CSV: GET /admin/catalog/export.csv.
func (h *Handlers) exportCSV(w http.ResponseWriter, r *http.Request) error {
	var b bytes.Buffer
	if err := h.catalog.Export(r.Context(), tenant.FromContext(r.Context()).ID, &b); err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/csv; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="products.csv"`)
	hd.Set("Content-Length", strconv.Itoa(b.Len()))
	_, err := w.Write(b.Bytes())
	return err
}

// importCSV imports products from an uploaded CSV file: POST
// /admin/catalog/import (multipart, field "file"). A file with any bad row
// changes nothing; the page lists the bad lines.
func (h *Handlers) importCSV(w http.ResponseWriter, r *http.Request) error {
	// The body is bounded by the route's MaxBody (the router's MaxBytesReader).
	if err := r.ParseMultipartForm(1 << 20); err != nil { //nolint:gosec // bounded by the route's MaxBody
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return h.showProducts(w, r, apperr.InvalidFields("Choose a CSV file.", map[string]string{"file": "Choose a CSV file to import."}))
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	f, _, err := r.FormFile("file")
	if err != nil {
		return h.showProducts(w, r, apperr.InvalidFields("Choose a CSV file.", map[string]string{"file": "Choose a CSV file to import."}))
	}
	defer f.Close()
	if _, err := h.catalog.Import(r.Context(), tenant.FromContext(r.Context()).ID, f); err != nil {
		return h.showProducts(w, r, err)
	}
	return seeOther(w, r, "/admin/catalog", "imported")
}
