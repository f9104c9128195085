package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// resultsData is a patient's released lab reports.
type resultsData struct {
	Reports []resultRow
	New     int
	// For is the patient acted for (a proxy's view); empty for one's own.
	For string
}

// resultRow is one report in the list, with its badge.
type resultRow struct {
	*labs.Report
	Badge string
	Tone  portal.Tone
}

// listResults renders GET /account/results: the signed-in patient's
// released reports, new ones marked; with ?for={id}, those of a person who
// granted them the clinical records (a proxy). Another patient's id without
// that grant is the same 404 as a missing page. One statement, one audited
// vault access.
func (h *Handlers) listResults(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	patient := sess.UserID
	d := resultsData{}
	if f := r.URL.Query().Get("for"); f != "" && f != sess.UserID {
		patient, d.For = f, f
	}
	reps, _, fresh, err := h.labs.List(r.Context(), tenant.FromContext(r.Context()).ID, patient, labs.ListLimit)
	if err != nil {
		return err
	}
	d.New = fresh
	for _, rep := range reps {
		b, t := labs.Badge(rep)
		d.Reports = append(d.Reports, resultRow{Report: rep, Badge: b, Tone: t})
	}
	return h.render(w, r, h.pages.results, http.StatusOK, "Lab results", d)
}
