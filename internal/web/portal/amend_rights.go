package portal

import (
	"context"

	"github.com/salvehealth/salve/internal/amend"
	"github.com/salvehealth/salve/internal/marketing"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/tenant"
)

// rights are the pages of a patient's HIPAA rights this surface serves
// (issue 16): amendments (164.526) and marketing authorizations (164.508).
type rights struct {
	amend     *amend.Service
	marketing *marketing.Service
	pages     struct {
		amendments, amendment, amendmentNew, privacy *render.Page
	}
}

// Rights turns on the amendment and privacy pages, before Routes; without
// it (a process that holds no PHI) they are not registered. A missing
// template fails here.
func (h *Handlers) Rights(a *amend.Service, m *marketing.Service) error {
	h.rights.amend, h.rights.marketing = a, m
	p := &h.rights.pages
	return h.site.Pages(map[string]**render.Page{"portal/amendments": &p.amendments, "portal/amendment": &p.amendment,
		"portal/amendment_new": &p.amendmentNew, "portal/privacy": &p.privacy})
}

// history is what travels with a record on its page: its accepted
// corrections and statements of disagreement. Nothing when the pages are
// off; a record without any costs one query and no vault access.
func (h *Handlers) history(ctx context.Context, tenantID string, kind amend.Kind, recordID string) ([]*amend.Amendment, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if h.rights.amend == nil {
		return nil, nil
	}
	return h.rights.amend.History(ctx, tenantID, kind, recordID)
}
