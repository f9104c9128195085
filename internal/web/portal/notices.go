package portal

import (
	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/incidents"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/web"
)

// Notices are the patient's breach notices (issue 19, 164.404): what the
// email "an important notice about your information — sign in" leads to.
// Their own handlers, beside Handlers, like Rights.
type Notices struct {
	site      *web.Site
	incidents *incidents.Service
	page      *render.Page
}

// NewNotices returns the notices pages; a missing template fails here.
func NewNotices(site *web.Site, svc *incidents.Service) (*Notices, error) {
	h := &Notices{site: site, incidents: svc}
	if err := site.Pages(map[string]**render.Page{"portal/notices": &h.page}); err != nil {
		return nil, err
	}
	return h, nil
}

// Routes registers the notices pages. Why patients only, and only their
// own: a notice is addressed to the person affected (the service checks it
// too).
func (h *Notices) Routes(rt *httpx.Router) {
	patients := httpx.Roles(access.RolePatient)
	rt.Handle(access.Customer, "GET "+incidents.NoticesPath, h.showNotices, patients)
	rt.Handle(access.Customer, "GET "+incidents.NoticesPath+"/{id}/letter", h.downloadNotice, patients)
}
