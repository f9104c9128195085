package api

import (
	"net/http"

	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/tenant"
)

// listResults answers GET /api/v1/results: the patient's released lab
// reports, newest first (one audited vault access, as on the portal page).
func (p *Patient) listResults(w http.ResponseWriter, r *http.Request) error {
	who, err := requester(r)
	if err != nil {
		return err
	}
	reps, _, _, err := p.labs.List(r.Context(), tenant.FromContext(r.Context()).ID, who.ID, labs.ListLimit)
	if err != nil {
		return err
	}
	out := struct {
		Results []ResultSummary `json:"results"`
	}{Results: []ResultSummary{}}
	for _, rep := range reps {
		out.Results = append(out.Results, resultSummary(rep))
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpx.WriteJSON(w, http.StatusOK, out)
}
