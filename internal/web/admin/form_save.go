package admin

import (
	"net/http"
	"strconv"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/forms"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// saveForm takes the builder's post: POST /admin/forms (a new form) and
// POST /admin/forms/{id}. A step button (add a question, remove, move up or
// down) shows the builder again with the step done and stores nothing;
// "Save" validates and stores the next version, then shows the list. Bad
// input shows the builder again with each part's error, losing nothing.
func (h *FormPages) saveForm(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	id := r.PathValue("id")
	version := 0
	if id != "" {
		cur, err := h.forms.Get(r.Context(), t.ID, id)
		if err != nil {
			return err
		}
		version = cur.Version
	}
	d, op := forms.FromValues(f.Values)
	if op.Kind != "save" {
		d.Apply(op)
		return h.builderPage(w, r, http.StatusOK, id, version, d, nil)
	}
	if seen, _ := strconv.Atoi(f.Value("version")); id != "" && seen != version {
		return h.builderPage(w, r, http.StatusConflict, id, version, d,
			apperr.New(apperr.Invalid, "Someone saved this form while you were editing it. Your changes are below; save again to make them the newest version."))
	}
	if _, err := h.forms.Save(r.Context(), t.ID, id, d); err != nil {
		if !apperr.Is(err, apperr.Invalid) && !apperr.Is(err, apperr.Conflict) {
			return err
		}
		return h.builderPage(w, r, httpStatus(err), id, version, d, err)
	}
	return seeOther(w, r, "/admin/forms", "saved")
}

func httpStatus(err error) int {
	if apperr.Is(err, apperr.Conflict) {
		return http.StatusConflict
	}
	return http.StatusBadRequest
}
