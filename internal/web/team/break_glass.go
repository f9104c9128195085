package team

import (
	"net/http"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// breakGlassData is the emergency access page of clinicians and pharmacists.
type breakGlassData struct {
	Form  *web.Form
	Until time.Time
}

// showBreakGlass renders the emergency access form.
func (h *Handlers) showBreakGlass(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, h.glass, http.StatusOK, "Emergency access", breakGlassData{Form: &web.Form{}})
}

// breakGlass opens a patient's clinical record for an hour, after a fresh
// second factor and with a stated reason.
func (h *Handlers) breakGlass(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	fail := func(err error) error {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.render(w, r, h.glass, status, "Emergency access", breakGlassData{Form: f})
	}
	patientID, err := h.grants.FindPatient(r.Context(), t.ID, f.Value("email"))
	if err != nil {
		return fail(err)
	}
	until, err := h.grants.BreakGlass(r.Context(), t, sess, patientID, f.Value("reason"))
	if err != nil {
		if apperr.Is(err, apperr.Unauthenticated) {
			f.Message = "Confirm your password and a fresh code from your authenticator first, then submit again."
			f.Errors = map[string]string{"code": "Enter the current code."}
			return h.render(w, r, h.glass, http.StatusUnauthorized, "Emergency access", breakGlassData{Form: f})
		}
		return fail(err)
	}
	return h.render(w, r, h.glass, http.StatusOK, "Emergency access", breakGlassData{Form: &web.Form{Done: "Emergency access granted."}, Until: until})
}

// reviewData is the compliance review queue.
type reviewData struct {
	Form  *web.Form
	Items []reviewRow
}

type reviewRow struct {
	grants.BreakGlassReview
	ReasonText string
}

// showReviews lists break-glass grants, unreviewed first.
func (h *Handlers) showReviews(w http.ResponseWriter, r *http.Request) error {
	return h.reviews(w, r, http.StatusOK, &web.Form{})
}

func (h *Handlers) reviews(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	t := tenant.FromContext(r.Context())
	q, err := h.grants.BreakGlassQueue(r.Context(), t.ID)
	if err != nil {
		return err
	}
	rows := make([]reviewRow, 0, len(q))
	for _, it := range q {
		rows = append(rows, reviewRow{BreakGlassReview: it, ReasonText: it.Reason.Reveal()})
	}
	return h.render(w, r, h.reviewPage, status, "Break-glass review", reviewData{Form: f, Items: rows})
}

// review records a finding.
func (h *Handlers) review(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	if err := h.grants.ReviewBreakGlass(r.Context(), t.ID, r.PathValue("id"), f.Value("outcome")); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.reviews(w, r, status, f)
	}
	return h.reviews(w, r, http.StatusOK, &web.Form{Done: "The review was recorded."})
}
