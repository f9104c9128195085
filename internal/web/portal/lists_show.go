package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/lists"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

type listLine struct {
	VariantID, Label, Slug string
	Quantity               int64
	Available              bool
}

type listView struct {
	ID, Name string
	Wish     bool
	Lines    []listLine
}

type listsData struct {
	Lists []listView
	Form  *web.Form
}

// showLists renders the patient's wish list and shopping lists:
// GET /account/lists (one audited read; the products in one query).
func (h *Handlers) showLists(w http.ResponseWriter, r *http.Request) error {
	return h.listsPage(w, r, http.StatusOK, nil)
}

func (h *Handlers) listsPage(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	all, err := h.lists.All(r.Context(), t.ID, sess.UserID)
	if err != nil {
		return err
	}
	var ids []string
	for _, l := range all {
		for _, it := range l.Items {
			ids = append(ids, it.VariantID)
		}
	}
	vs, err := h.carts.Variants(r.Context(), t.ID, ids)
	if err != nil {
		return err
	}
	byID := map[string]cart.Line{}
	for _, v := range vs {
		byID[v.VariantID] = v
	}
	d := listsData{Form: f}
	if d.Form == nil {
		d.Form = &web.Form{}
	}
	for _, l := range all {
		v := listView{ID: l.ID, Name: l.Name, Wish: l.Kind == lists.Wish}
		for _, it := range l.Items {
			c, ok := byID[it.VariantID]
			line := listLine{VariantID: it.VariantID, Quantity: it.Quantity, Label: "A product no longer sold"}
			if ok {
				line.Label, line.Slug, line.Available = c.Label(), c.Slug, c.Active && c.Stock > 0
			}
			v.Lines = append(v.Lines, line)
		}
		d.Lists = append(d.Lists, v)
	}
	return h.render(w, r, h.pages.lists, status, "Your lists", d)
}
