package admin

import (
	"net/http"
	"strconv"

	dash "github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// pinDefault pins the tenant's default dashboard order, from a place (1, 2,
// ...) per widget: POST /admin/insights/pin. A wrong set of places changes
// nothing and shows the form again.
func (h *Handlers) pinDefault(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	places := map[string]int{}
	for _, k := range dash.Keys() {
		n, _ := strconv.Atoi(f.Value("pos_" + k))
		places[k] = n
	}
	if err := h.Insights.Pin(r.Context(), tenant.FromContext(r.Context()).ID, places); err != nil {
		return h.insights(w, r, err)
	}
	return seeOther(w, r, "/admin/insights", "saved")
}

// unpinDefault lets the counts order the default dashboard again:
// POST /admin/insights/unpin.
func (h *Handlers) unpinDefault(w http.ResponseWriter, r *http.Request) error {
	if err := h.Insights.Unpin(r.Context(), tenant.FromContext(r.Context()).ID); err != nil {
		return err
	}
	return seeOther(w, r, "/admin/insights", "saved")
}
