package portal

import (
	"net/http"
	"strconv"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// submitForm sends a patient's answers: POST /account/forms/{id}. The answers
// are sealed and stored with the version the page showed; bad answers show
// the page again with each question's error and what was typed (files must be
// chosen again: a browser never refills a file input). A form edited while
// it was filled in is shown again in its new version. After sending, a
// patient who came from checkout goes back there.
func (h *Forms) submitForm(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	vals, files, err := readAnswers(w, r)
	if err != nil {
		return err
	}
	next := nextOf(vals.Get("next"))
	version, _ := strconv.Atoi(vals.Get("version"))
	_, err = h.forms.Submit(r.Context(), t.ID, sess.UserID, r.PathValue("id"), version, vals, files)
	if err != nil {
		e := apperr.As(err)
		if e == nil || (e.Code != apperr.Invalid && e.Code != apperr.Conflict) {
			return err
		}
		f, gerr := h.forms.Get(r.Context(), t.ID, r.PathValue("id"))
		if gerr != nil {
			return gerr
		}
		status := http.StatusUnprocessableEntity
		if e.Code == apperr.Conflict {
			status = http.StatusConflict
		}
		return h.fillPage(w, r, status, f, vals, e.Fields, e.Message, next)
	}
	to := "/account/forms?done=sent"
	if next == "checkout" {
		to = "/checkout"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
