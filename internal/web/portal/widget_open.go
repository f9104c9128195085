package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	dash "github.com/salvehealth/salve/internal/portal"
)

// openWidget follows a widget's "see all" link: GET /account/widgets/{key}
// counts the open for the tenant's insights (no person, no address, no
// browser: a count per tenant, widget and day) and sends the browser on to
// the widget's page. A first-party redirect, so no script or cookie is
// needed to count.
func (h *Handlers) openWidget(w http.ResponseWriter, r *http.Request) error {
	wd, ok := dash.Lookup(r.PathValue("key"))
	if !ok || wd.Href == "" {
		return apperr.NotFoundError()
	}
	h.opened(r, wd.Key)
	http.Redirect(w, r, wd.Href, http.StatusSeeOther)
	return nil
}
