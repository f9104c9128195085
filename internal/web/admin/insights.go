package admin

import (
	"net/http"

	dash "github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/tenant"
)

// insightsData is the dashboard insights page.
type insightsData struct {
	State   formState
	In      dash.Insights
	Titles  map[string]string
	Widgets []dash.Widget
	// Place is each widget's place in the default order (1 first), for
	// the pin form.
	Place map[string]int
}

// showInsights shows a store manager how often the tenant's patients open
// each widget and page (counts below portal.MinShown withheld) and the
// default dashboard order, with a form to pin one: GET /admin/insights.
func (h *Handlers) showInsights(w http.ResponseWriter, r *http.Request) error {
	return h.insights(w, r, nil)
}

func (h *Handlers) insights(w http.ResponseWriter, r *http.Request, failed error) error {
	in, err := h.Insights.Insights(r.Context(), tenant.FromContext(r.Context()).ID)
	if err != nil {
		return err
	}
	d := insightsData{State: stateFrom(r, failed), In: in, Titles: map[string]string{}, Widgets: dash.Widgets(), Place: map[string]int{}}
	for _, wd := range d.Widgets {
		d.Titles[wd.Key] = wd.Title
	}
	for i, k := range in.Default {
		d.Place[k] = i + 1
	}
	return h.render(w, r, h.insightsPage, "Dashboard insights", d, failed)
}
