package admin

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/vendors"
	"github.com/salvehealth/salve/internal/web"
)

// MaxBAABody is the body limit of the BAA upload: the document limit plus
// room for the form around it.
const MaxBAABody = vendors.MaxDocument + 64<<10

// uploadBAA stores a vendor's signed BAA, sealed: POST
// /admin/compliance/vendors/{id}/document (multipart, field "document"). It
// must be a PDF by its content (vendors.Service.Upload).
func (h *Handlers) uploadBAA(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t := tenant.FromContext(ctx)
	vid := r.PathValue("id")
	fail := func(err error) error {
		f := &web.Form{}
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.vendorsPage(w, r, status, vendorsData{Edit: f, EditID: vid})
	}
	// The body is bounded by the route's MaxBody (the router's MaxBytesReader).
	if err := r.ParseMultipartForm(1 << 20); err != nil { //nolint:gosec // bounded by the route's MaxBody
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return fail(apperr.InvalidFields("Choose the signed BAA to upload.", map[string]string{"document": "Choose a PDF file."}))
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	file, _, err := r.FormFile("document")
	if err != nil {
		return fail(apperr.InvalidFields("Choose the signed BAA to upload.", map[string]string{"document": "Choose a PDF file."}))
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, vendors.MaxDocument+1))
	if err != nil {
		return err
	}
	if err := h.people.Vendors.Upload(ctx, t.ID, vid, data); err != nil {
		if apperr.Is(err, apperr.Invalid) {
			return fail(err)
		}
		return err
	}
	return seeOther(w, r, "/admin/compliance/vendors", "uploaded")
}

// downloadBAA opens a vendor's signed BAA: GET
// /admin/compliance/vendors/{id}/document. The vault records who opened it.
func (h *Handlers) downloadBAA(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	vid := r.PathValue("id")
	b, err := h.people.Vendors.Document(r.Context(), t.ID, vid)
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/pdf")
	// Why attachment: a PDF opened inline runs in the browser's viewer
	// under this site's origin; downloaded, it does not.
	hd.Set("Content-Disposition", `attachment; filename="baa-`+vid+`.pdf"`)
	hd.Set("Content-Length", strconv.Itoa(len(b)))
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	// The bytes are a PDF checked at upload, sent as an attachment with its
	// type, nosniff and a sandbox CSP: never rendered as HTML here.
	_, err = w.Write(b) //nolint:gosec // see above

	return err
}
