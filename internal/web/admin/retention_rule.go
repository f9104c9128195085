package admin

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// setRetentionRule sets how long one record type is kept after an account
// closes: POST /admin/compliance/retention (fields record_type, keep_days).
// A period below the legal minimum is refused with the minimum named, and
// changes nothing.
func (h *Handlers) setRetentionRule(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	days, perr := strconv.Atoi(strings.TrimSpace(f.Value("keep_days")))
	if perr != nil || days <= 0 {
		err = apperr.InvalidFields("Enter the period as a whole number of days.", map[string]string{"keep_days": "Enter a whole number of days."})
	} else {
		err = h.people.Retention.SetRule(r.Context(), t.ID, f.Value("record_type"), time.Duration(days)*24*time.Hour)
	}
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.retentionPage(w, r, status, f)
	}
	return h.retentionPage(w, r, http.StatusOK, &web.Form{Done: "The retention rule was saved."})
}
