package apps

import (
	"net/http"

	"github.com/salvehealth/salve/internal/oauth"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// clientsData is the admin's registered apps page.
type clientsData struct {
	Clients []oauth.Client
	Scopes  []scopeBox
	Form    *web.Form
}

// showClients renders GET /admin/apps.
func (h *Handlers) showClients(w http.ResponseWriter, r *http.Request) error {
	return h.clientsPage(w, r, http.StatusOK, &web.Form{})
}

func (h *Handlers) clientsPage(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	cs, err := h.oauth.Clients(r.Context(), tenant.FromContext(r.Context()).ID)
	if err != nil {
		return err
	}
	return h.site.Render(w, r, h.clients, status, "Mobile apps", clientsData{Clients: cs, Scopes: scopeBoxes(f.Values["scopes"]), Form: f})
}
