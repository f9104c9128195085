package admin

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/tenant"
)

// MaxUploadBody is the body limit of the image upload route: the image limit
// plus room for the form around it.
const MaxUploadBody = catalog.MaxImageBytes + 64<<10

// uploadImage adds an image to a product: POST
// /admin/catalog/products/{id}/images (multipart, field "image", "alt"). The
// file is checked by its content and resized (catalog.ProcessImage).
func (h *Handlers) uploadImage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t := tenant.FromContext(ctx)
	pid := r.PathValue("id")
	p, err := h.catalog.ProductByID(ctx, t.ID, pid)
	if err != nil {
		return err
	}
	up, alt, bad, err := readUpload(r)
	if err != nil {
		return err
	}
	if bad != nil {
		return h.showForm(w, r, p, bad)
	}
	if err := h.catalog.AddImage(ctx, t.ID, pid, alt, up); err != nil {
		return err
	}
	return seeOther(w, r, "/admin/catalog/products/"+pid, "uploaded")
}

// readUpload reads an uploaded picture from a multipart form (fields
// "image" and "alt"), checked by its content and resized
// (catalog.ProcessImage). bad is a refusal to show on the form; err one
// that ends the request (a body over the route's limit).
func readUpload(r *http.Request) (up *catalog.Upload, alt string, bad, err error) {
	// The body is bounded by the route's MaxBody (the router's MaxBytesReader).
	if err := r.ParseMultipartForm(1 << 20); err != nil { //nolint:gosec // bounded by the route's MaxBody
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, "", nil, err
		}
		return nil, "", apperr.InvalidFields("Choose an image to upload.", map[string]string{"image": "Choose a PNG, JPEG or GIF file."}), nil
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	f, _, err := r.FormFile("image")
	if err != nil {
		return nil, "", apperr.InvalidFields("Choose an image to upload.", map[string]string{"image": "Choose a PNG, JPEG or GIF file."}), nil
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, catalog.MaxImageBytes+1))
	if err != nil {
		return nil, "", nil, err
	}
	up, err = catalog.ProcessImage(data)
	if err != nil {
		return nil, "", err, nil
	}
	alt = strings.TrimSpace(r.FormValue("alt"))
	if len(alt) > 200 {
		alt = alt[:200]
	}
	return up, alt, nil, nil
}

// deleteImage removes an image: POST /admin/catalog/products/{id}/images/{image}/delete.
func (h *Handlers) deleteImage(w http.ResponseWriter, r *http.Request) error {
	pid := r.PathValue("id")
	if err := h.catalog.DeleteImage(r.Context(), tenant.FromContext(r.Context()).ID, pid, r.PathValue("image")); err != nil {
		return err
	}
	return seeOther(w, r, "/admin/catalog/products/"+pid, "deleted")
}
