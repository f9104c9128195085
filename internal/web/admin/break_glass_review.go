package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// reviewData is the compliance review queue.
type reviewData struct {
	Form  *web.Form
	Items []reviewRow
}

type reviewRow struct {
	grants.BreakGlassReview
	ReasonText, ActorText, PatientText string
}

// showReviews lists break-glass grants, unreviewed first.
func (h *Handlers) showReviews(w http.ResponseWriter, r *http.Request) error {
	return h.reviews(w, r, http.StatusOK, &web.Form{})
}

func (h *Handlers) reviews(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	t := tenant.FromContext(r.Context())
	q, err := h.people.Grants.BreakGlassQueue(r.Context(), t.ID)
	if err != nil {
		return err
	}
	rows := make([]reviewRow, 0, len(q))
	for _, it := range q {
		rows = append(rows, reviewRow{BreakGlassReview: it, ReasonText: it.Reason.Reveal(),
			ActorText: it.ActorName.Reveal(), PatientText: it.PatientName.Reveal()})
	}
	return h.site.Render(w, r, h.reviewQueue, status, "Break-glass review", reviewData{Form: f, Items: rows})
}

// review records a finding.
func (h *Handlers) review(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	if err := h.people.Grants.ReviewBreakGlass(r.Context(), t.ID, r.PathValue("id"), f.Value("outcome")); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.reviews(w, r, status, f)
	}
	return h.reviews(w, r, http.StatusOK, &web.Form{Done: "The review was recorded."})
}
