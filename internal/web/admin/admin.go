// Package admin is the back office. The store manager's catalog pages under
// /admin/catalog (products, variants, stock, images, categories, landing
// pages, the menu, promotions, CSV import and export); the administrator's
// staff accounts under /admin (invitations, roles, disabling and enabling)
// and, without a mail relay, the outbox (counts and masked recipients; one
// message opened with a reason, audited); and
// compliance's review of emergency access (/admin/break-glass). Later:
// settings. Each route is limited to the roles whose work it is (routes.go).
// One file per action; routes in routes.go.
//
// The catalog pages touch no PHI and are served by a storefront process too;
// the pages about people are registered only where the PHI store is, and open
// it through their services, which audit each view.
package admin

import (
	"context"
	"net/http"
	"net/url"

	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/appointments"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/incidents"
	"github.com/salvehealth/salve/internal/offers"
	"github.com/salvehealth/salve/internal/outbox"
	dash "github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/retention"
	"github.com/salvehealth/salve/internal/reviews"
	"github.com/salvehealth/salve/internal/shiptax"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/vendors"
	"github.com/salvehealth/salve/internal/web"
	"github.com/salvehealth/salve/internal/webhooks"
)

// Handlers serves the admin pages.
type Handlers struct {
	site       *web.Site
	catalog    *catalog.Service
	products   *render.Page
	product    *render.Page
	categories *render.Page
	pages      *render.Page
	pageForm   *render.Page
	menu       *render.Page
	promotions *render.Page
	promotion  *render.Page
	// Promotions are the promotion codes; nil hides the pages (404).
	Promotions *promo.Service
	// Insights are the dashboard's PHI-free open counts and default order;
	// nil (a storefront process) leaves the page out.
	Insights     *dash.Service
	insightsPage *render.Page
	// people is nil in a storefront process: no pages about people.
	people      *People
	users       *render.Page
	mail        *render.Page
	mailOpen    *render.Page
	reviewQueue *render.Page
	apptTypes   *render.Page
	// retentionView is compliance's retention rules and certificates.
	retentionView *render.Page
	// The compliance pages (issue 19): changes with approvals, the report
	// and the data-flow diagram.
	changesView, complianceView, dataFlowView *render.Page
	// vendorsView and webhooksView are issue 19's compliance pages.
	vendorsView  *render.Page
	webhooksView *render.Page
	// incidentsView and incidentView are the incident register and one
	// incident (issue 19).
	incidentsView, incidentView *render.Page
	// reviewsView is the calendar of scheduled reviews (issue 19).
	reviewsView *render.Page
	// activityView and auditView are the activity review and the audit
	// events behind its findings (issue 19).
	activityView, auditView *render.Page
	// rights are the amendment clock and the promotion reach (rights.go).
	rights rights
	// Brand sets the brand's inheritable settings (white label); nil
	// leaves the page out. RefreshTenants reloads the tenant resolver.
	Brand          BrandSettings
	RefreshTenants func(context.Context) error
	brandView      *render.Page
	// ShipTax edits the shipping and tax settings (issue 18); nil (a
	// process without the audit log, which records every change) leaves
	// the pages out.
	ShipTax      *shiptax.Service
	shippingView *render.Page
	taxView      *render.Page
	// Offers are the brand's choices and prices of its organisation's
	// shared catalog; nil (a process without the audit log, which records
	// every change) leaves the pages out.
	Offers         *offers.Service
	orgCatalogView *render.Page
	// OrgBrands lists an organisation's brands (the tenant resolver's):
	// the sister brands on the shared-care page and the brands on the
	// organisation's page; nil leaves those pages out.
	OrgBrands      func(orgID string) []*tenant.Tenant
	sharedCareView *render.Page
	orgView        *render.Page
	// Orgs reads and sets the organisation's settings, Audit records each
	// change on its page (organisation.go); either nil leaves the page out.
	Orgs            OrgStore
	Audit           audit.Appender
	orgProductsView *render.Page
}

// People are what the pages about people work with: staff accounts, the
// break-glass review and the outbox.
type People struct {
	Accounts *accounts.Service
	Grants   *grants.Service
	Outbox   *outbox.Outbox
	// Appointments are the appointment types, locations and cancellation
	// window (store managers and admins); nil leaves the page out.
	Appointments *appointments.Service
	// Retention is the retention rules and disposal certificates
	// (compliance and admins); nil leaves the pages out.
	Retention *retention.Service
	// Changes are security-setting changes with approvals (issue 19): staff
	// roles and retention rules are requested here and applied when a
	// second person approves; nil leaves the pages out.
	Changes *changes.Service
	// Compliance is the compliance report and the data-flow diagram; nil
	// leaves those pages out.
	Compliance ComplianceSource
	// Vendors are the vendors and BAAs and the integrations bound to them
	// (issue 19; compliance edits, admins view); nil leaves the pages out.
	Vendors *vendors.Service
	// Webhooks are the outgoing webhook subscriptions (issue 19; admins and
	// compliance); nil leaves the pages out.
	Webhooks *webhooks.Service
	// Incidents are the incident register and breach notification (issue
	// 19; the compliance officer only); nil leaves the pages out.
	Incidents *incidents.Service
	// Reviews are the scheduled compliance reviews (issue 19; compliance
	// and admins); nil leaves the page out.
	Reviews *reviews.Service
	// Activity is the review of audit activity and the filtered audit
	// events (issue 19; the compliance officer's); nil leaves them out.
	Activity ActivitySource
	// ShowOutbox turns on the outbox pages: only where no mail server is
	// configured (the demo, or serve without --smtp-addr), where mail waits.
	ShowOutbox bool
}

// New builds the admin handlers; people may be nil (a process without the
// PHI store), which leaves out the pages about people. A missing template
// fails here.
func New(site *web.Site, svc *catalog.Service, people *People) (*Handlers, error) {
	h := &Handlers{site: site, catalog: svc, people: people}
	if err := site.Pages(map[string]**render.Page{
		"admin/products": &h.products, "admin/product": &h.product, "admin/categories": &h.categories,
		"admin/pages": &h.pages, "admin/page": &h.pageForm, "admin/menu": &h.menu, "admin/promotions": &h.promotions, "admin/promotion": &h.promotion,
		"admin/users": &h.users, "admin/outbox": &h.mail, "admin/outbox_message": &h.mailOpen, "admin/break_glass_reviews": &h.reviewQueue,
		"admin/appointment_types": &h.apptTypes,
		"admin/insights":          &h.insightsPage,
		"admin/retention":         &h.retentionView,
		"admin/vendors":           &h.vendorsView,
		"admin/webhooks":          &h.webhooksView,
	}); err != nil {
		return nil, err
	}
	if err := site.Pages(map[string]**render.Page{
		"admin/changes": &h.changesView, "admin/compliance": &h.complianceView, "admin/data_flow": &h.dataFlowView,
		"admin/brand": &h.brandView, "admin/org_catalog": &h.orgCatalogView, "admin/org_products": &h.orgProductsView,
		"admin/shipping": &h.shippingView, "admin/tax": &h.taxView,
		"admin/incidents": &h.incidentsView, "admin/incident": &h.incidentView,
		"admin/shared_care": &h.sharedCareView, "admin/organisation": &h.orgView,
		"admin/reviews": &h.reviewsView, "admin/activity": &h.activityView, "admin/audit_events": &h.auditView,
	}); err != nil {
		return nil, err
	}
	return h, nil
}

// formState is what every admin form shows: a message after a save, and the
// error with its fields after a failed one.
type formState struct {
	Notice string
	Error  string
	Fields map[string]string
}

func stateFrom(r *http.Request, err error) formState {
	st := formState{}
	switch r.URL.Query().Get("done") {
	case "saved":
		st.Notice = "Saved."
	case "requested":
		st.Notice = "Your request is recorded; it applies when a second admin or the compliance officer approves it under Changes."
	case "deleted":
		st.Notice = "Deleted."
	case "imported":
		st.Notice = "Imported."
	case "uploaded":
		st.Notice = "Image added."
	case "paused":
		st.Notice = "Paused: the code is refused at checkout until you resume it."
	case "resumed":
		st.Notice = "Resumed: the code works again within its dates and limit."
	case "ended":
		st.Notice = "Ended: the code no longer works."
	case "duplicated":
		st.Notice = "Duplicated. The copy is paused: check it, then resume it."
	}
	if err != nil {
		st.Error = apperr.SafeMessage(err)
		if e := apperr.As(err); e != nil {
			st.Fields = e.Fields
		}
	}
	return st
}

// seeOther redirects after a successful post (post/redirect/get).
func seeOther(w http.ResponseWriter, r *http.Request, path, done string) error {
	// path is always built here from a fixed prefix and a stored id or slug,
	// never taken from the request, so this cannot redirect off the site.
	http.Redirect(w, r, path+"?done="+url.QueryEscape(done), http.StatusSeeOther) //nolint:gosec // see above
	return nil
}

// render shows a page; an Invalid error shows the form again with 400 and its
// fields, any other error goes to the error page.
func (h *Handlers) render(w http.ResponseWriter, r *http.Request, p *render.Page, title string, data any, err error) error {
	status := http.StatusOK
	if err != nil {
		if !apperr.Is(err, apperr.Invalid) && !apperr.Is(err, apperr.TooLarge) {
			return err
		}
		status = http.StatusBadRequest
		if apperr.Is(err, apperr.TooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
	}
	return p.Render(w, status, h.site.View(r, title, data))
}
