package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/tenant"
)

// trendData is one test's values across time: a chart (Chart.js, fed by
// js/trend.js from the table's data attributes) and the same values as a
// table, for people without JavaScript and for screen readers.
type trendData struct {
	T *labs.Trend
	// ReportID is the report the trend was opened from (the way back).
	ReportID string
	// Low and High are the latest reference range, for the chart's band.
	Low, High string
}

// showTrend renders GET /account/results/{id}/trend/{obs}: the values of the
// test of observation obs of report id, across the patient's released
// reports. Why ids and not the LOINC code in the path: a test code names
// what a person was tested for, and URLs end up in logs and histories.
func (h *Handlers) showTrend(w http.ResponseWriter, r *http.Request) error {
	t, err := h.labs.Trend(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"), r.PathValue("obs"))
	if err != nil {
		return err
	}
	d := trendData{T: t, ReportID: r.PathValue("id")}
	if n := len(t.Points); n > 0 {
		if lo := t.Points[n-1].Range.Low; lo != nil {
			d.Low = labs.FormatValue(*lo)
		}
		if hi := t.Points[n-1].Range.High; hi != nil {
			d.High = labs.FormatValue(*hi)
		}
	}
	return h.render(w, r, h.pages.trend, http.StatusOK, t.Name+" over time", d)
}
