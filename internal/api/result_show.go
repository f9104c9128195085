package api

import (
	"net/http"

	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/tenant"
)

// showResult answers GET /api/v1/results/{id}: one released report
// (audited). Another patient's report, a held one, or an unknown id is the
// same 404 problem.
func (p *Patient) showResult(w http.ResponseWriter, r *http.Request) error {
	rep, err := p.labs.Get(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := ownOnly(r, rep.PatientID); err != nil {
		return err
	}
	out := Result{ResultSummary: resultSummary(rep), Observations: []ObservationJSON{}}
	for _, o := range rep.Observations {
		out.Observations = append(out.Observations, ObservationJSON{ID: o.ID, LOINC: o.LOINC, Name: o.Name, Value: o.Value, Unit: o.Unit,
			Low: o.Range.Low, High: o.Range.High, Flag: string(o.Flag)})
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpx.WriteJSON(w, http.StatusOK, out)
}
