package admin

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/reviews"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// MaxReviewBody is the body limit of recording a review: the evidence file
// limit plus room for the form around it.
const MaxReviewBody = reviews.MaxFile + 64<<10

// completeReview records a completed review with its evidence: POST
// /admin/compliance/reviews (fields kind, target for a recertification,
// evidence; multipart with an optional evidence file, field "file"). Bad
// input shows the page again with what was typed, and nothing is recorded.
func (h *Handlers) completeReview(w http.ResponseWriter, r *http.Request) error {
	var file reviews.Attachment
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		// The body is bounded by the route's MaxBody (the router's MaxBytesReader).
		if err := r.ParseMultipartForm(1 << 20); err != nil { //nolint:gosec // bounded by the route's MaxBody
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return err
			}
			return apperr.Wrap(err, apperr.Invalid, "The form could not be read. Reload the page and try again.")
		}
		defer func() { _ = r.MultipartForm.RemoveAll() }()
		if f, hdr, err := r.FormFile("file"); err == nil {
			data, err := io.ReadAll(io.LimitReader(f, reviews.MaxFile+1))
			_ = f.Close()
			if err != nil {
				return err
			}
			file = reviews.Attachment{Name: hdr.Filename, Data: data}
		}
	}
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	kind := reviews.Kind(f.Value("kind"))
	if _, err := h.people.Reviews.CompleteWithFile(r.Context(), t.ID, kind, f.Value("target"), f.Value("evidence"), file); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.reviewsPage(w, r, status, f)
	}
	done := "Recorded: " + kind.Title() + "."
	return seeOther(w, r, "/admin/compliance/reviews", done)
}
