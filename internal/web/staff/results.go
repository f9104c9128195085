package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// resultsData is a clinician's results page: the reports they ordered,
// critical ones waiting for acknowledgement first, then those held for
// release.
type resultsData struct {
	Attention, Held, Released []*labs.Report
	Form                      *web.Form
}

// showResults renders GET /staff/results: the clinician's reports (one
// statement, one authorization per patient, one audited vault access).
func (h *Handlers) showResults(w http.ResponseWriter, r *http.Request) error {
	return h.renderResults(w, r, http.StatusOK, &web.Form{})
}

func (h *Handlers) renderResults(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	reps, err := h.Labs.ForClinician(r.Context(), tenant.FromContext(r.Context()).ID)
	if err != nil {
		return err
	}
	d := resultsData{Form: f}
	for _, rep := range reps {
		switch {
		case rep.Attention:
			d.Attention = append(d.Attention, rep)
		case rep.Status == labs.Held:
			d.Held = append(d.Held, rep)
		default:
			d.Released = append(d.Released, rep)
		}
	}
	return h.render(w, r, h.pages.results, status, "Lab results", d)
}
