package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/forms"
)

// newForm renders GET /admin/forms/new: the builder with one empty question
// and clinical answers (the strictest readers) chosen.
func (h *FormPages) newForm(w http.ResponseWriter, r *http.Request) error {
	d := forms.Definition{Class: access.DataClinical, Fields: []forms.Field{{Key: forms.NewKey(), Type: forms.Text}}}
	return h.builderPage(w, r, http.StatusOK, "", 0, d, nil)
}
