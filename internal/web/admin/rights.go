package admin

import (
	"github.com/salvehealth/salve/internal/amend"
	"github.com/salvehealth/salve/internal/marketing"
	"github.com/salvehealth/salve/internal/render"
)

// rights are the compliance and manager pages of issue 16's patient
// rights: the amendment clock, and the reach of a targeted promotion.
type rights struct {
	amend     *amend.Service
	marketing *marketing.Service
	clock     *render.Page
	reach     *render.Page
}

// Rights turns on the amendment clock and the reach count, before Routes
// (a process holding PHI only); a missing template fails here.
func (h *Handlers) Rights(a *amend.Service, m *marketing.Service) error {
	h.rights.amend, h.rights.marketing = a, m
	return h.site.Pages(map[string]**render.Page{"admin/amendments_clock": &h.rights.clock, "admin/promotion_reach": &h.rights.reach})
}
