package admin

import (
	"net/http"
	"slices"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/vendors"
	"github.com/salvehealth/salve/internal/web"
	"github.com/salvehealth/salve/internal/webhooks"
)

// webhooksData is the page of outgoing webhooks.
type webhooksData struct {
	Form *web.Form
	Done string
	// Secret is a new subscription's secret, shown this once (never in a
	// URL: the page is rendered by the post that made it).
	Secret  string
	Log     webhooks.Log
	Events  []string
	Vendors []vendors.Status
	// VendorNames names each subscription's vendor.
	VendorNames map[string]string
	// Officer: the compliance officer, who must request or approve PHI.
	Officer bool
	// Pending: the subscriptions with a request to switch them on or off
	// waiting for approval.
	Pending map[string]string
}

// showWebhooks lists the subscriptions, the newest deliveries and each try
// with its response code: GET /admin/compliance/webhooks.
func (h *Handlers) showWebhooks(w http.ResponseWriter, r *http.Request) error {
	done := map[string]string{"queued": "A test event was queued; its delivery shows below within a minute.",
		"disabled":          "The webhook was switched off.",
		"disable-requested": "The request was recorded; the webhook is switched off when a second person approves it under Changes.",
		"phi-requested":     "The request was recorded; it takes effect when a second person approves it under Changes."}[r.URL.Query().Get("done")]
	return h.webhooksPage(w, r, http.StatusOK, webhooksData{Form: &web.Form{}, Done: done})
}

func (h *Handlers) webhooksPage(w http.ResponseWriter, r *http.Request, status int, d webhooksData) error {
	t := tenant.FromContext(r.Context())
	l, err := h.people.Webhooks.Overview(r.Context(), t.ID)
	if err != nil {
		return err
	}
	vs, err := h.people.Vendors.Vendors(r.Context(), t.ID)
	if err != nil {
		return err
	}
	a, _ := access.ActorFrom(r.Context())
	d.Log, d.Vendors, d.Events, d.Officer = l, vs, webhooks.Events(), a.Role == access.RoleCompliance
	d.VendorNames = map[string]string{}
	for _, v := range vs {
		d.VendorNames[v.ID] = v.Name
	}
	if d.Form == nil {
		d.Form = &web.Form{}
	}
	if h.people.Changes != nil {
		cs, err := h.people.Changes.List(r.Context(), t.ID, 200)
		if err != nil {
			return err
		}
		d.Pending = map[string]string{}
		for _, c := range cs {
			if c.Kind == webhooks.KindSubscription && c.Status == changes.Pending {
				d.Pending[c.Target] = c.After["state"]
			}
		}
	}
	return h.site.Render(w, r, h.webhooksView, status, "Outgoing webhooks", d)
}

// Checked reports whether event was ticked in the form sent.
func (d webhooksData) Checked(event string) bool {
	return d.Form != nil && d.Form.Values != nil && slices.Contains(d.Form.Values["events"], event)
}
