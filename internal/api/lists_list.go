package api

import (
	"net/http"

	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/tenant"
)

// listLists answers GET /api/v1/lists: the patient's shopping lists, the
// wish list first (one audited read).
func (p *Patient) listLists(w http.ResponseWriter, r *http.Request) error {
	who, err := requester(r)
	if err != nil {
		return err
	}
	all, err := p.lists.All(r.Context(), tenant.FromContext(r.Context()).ID, who.ID)
	if err != nil {
		return err
	}
	out := struct {
		Lists []ListJSON `json:"lists"`
	}{Lists: []ListJSON{}}
	for _, l := range all {
		lj := ListJSON{ID: l.ID, Kind: l.Kind, Name: l.Name, Items: []ListItemJSON{}}
		for _, it := range l.Items {
			lj.Items = append(lj.Items, ListItemJSON{VariantID: it.VariantID, Quantity: it.Quantity})
		}
		out.Lists = append(out.Lists, lj)
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpx.WriteJSON(w, http.StatusOK, out)
}
