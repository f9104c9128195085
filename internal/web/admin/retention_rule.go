package admin

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// setRetentionRule sets how long one record type is kept after an account
// closes: POST /admin/compliance/retention (fields record_type, keep_days).
// A period below the legal minimum is refused with the minimum named, and
// changes nothing. The rule is requested (field reason) and applied when a
// second person approves it (internal/changes).
func (h *Handlers) setRetentionRule(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	days, perr := strconv.Atoi(strings.TrimSpace(f.Value("keep_days")))
	if perr != nil || days <= 0 {
		err = apperr.InvalidFields("Enter the period as a whole number of days.", map[string]string{"keep_days": "Enter a whole number of days."})
	} else if h.people.Changes == nil {
		return errNoChanges // never applied at once without approval (fail closed)
	} else {
		// Why a request: retention decides when patients' data is destroyed;
		// it changes only when a second person approves (internal/changes).
		_, err = h.people.Changes.Request(r.Context(), t.ID, changes.KindRetentionRule, f.Value("record_type"),
			map[string]string{"keep_days": strconv.Itoa(days)}, f.Value("reason"))
	}
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.retentionPage(w, r, status, f)
	}
	return h.retentionPage(w, r, http.StatusOK, &web.Form{Done: "The change was requested. It takes effect when a second person approves it under Compliance, Changes."})
}
