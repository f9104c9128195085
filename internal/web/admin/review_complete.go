package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/reviews"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// completeReview records a completed review with its evidence: POST
// /admin/compliance/reviews (fields kind, target for a recertification,
// evidence). Bad input shows the page again with what was typed, and
// nothing is recorded.
func (h *Handlers) completeReview(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	kind := reviews.Kind(f.Value("kind"))
	if _, err := h.people.Reviews.Complete(r.Context(), t.ID, kind, f.Value("target"), f.Value("evidence")); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.reviewsPage(w, r, status, f)
	}
	done := "Recorded: " + kind.Title() + "."
	return seeOther(w, r, "/admin/compliance/reviews", done)
}
