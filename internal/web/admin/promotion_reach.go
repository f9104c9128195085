package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/marketing"
	dash "github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/tenant"
)

// reachData is how many people a targeted promotion may reach.
type reachData struct {
	P     promo.Promotion
	Reach marketing.Reach
	Min   int
}

// showPromotionReach renders GET /admin/catalog/promotions/{id}/reach: the
// number of patients with a current authorization whose data matches the
// promotion's rule; never who, and nothing below the threshold. An
// untargeted, another tenant's or an unknown promotion is the plain 404.
func (h *Handlers) showPromotionReach(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	list, err := h.Promotions.List(r.Context(), t.ID)
	if err != nil {
		return err
	}
	for _, p := range list {
		if p.ID != r.PathValue("id") {
			continue
		}
		n, err := h.rights.marketing.Reach(r.Context(), t.ID, p)
		if err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "no-store")
		return h.site.Render(w, r, h.rights.reach, http.StatusOK, "Reach of "+p.Code, reachData{P: p, Reach: n, Min: dash.MinShown})
	}
	return apperr.NotFoundError()
}
