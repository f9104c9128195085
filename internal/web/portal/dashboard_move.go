package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	dash "github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/web"
)

// moveWidget moves a widget of the signed-in patient's dashboard one place:
// POST /account/dashboard/{key}/move with dir=up or dir=down (the buttons
// that work without JavaScript). Back to the dashboard, at the widget.
func (h *Handlers) moveWidget(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	by := map[string]int{"up": -1, "down": 1}[f.Value("dir")]
	if by == 0 {
		return apperr.New(apperr.Invalid, "A widget moves up or down.")
	}
	key := r.PathValue("key")
	if err := h.dashboard.Move(r.Context(), key, by); err != nil {
		return err
	}
	backToDashboard(w, r, key)
	return nil
}

// backToDashboard sends the browser back to the dashboard at a widget (its
// key is no PHI: the same list for everyone).
func backToDashboard(w http.ResponseWriter, r *http.Request, key string) {
	if !dash.Known(key) {
		key = ""
	}
	// Only a known widget key follows the fixed path: no redirect off the site.
	http.Redirect(w, r, "/account#widget-"+key, http.StatusSeeOther) //nolint:gosec // see above
}
