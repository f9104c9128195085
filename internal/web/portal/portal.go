// Package portal is the signed-in person's own pages, everything under
// /account: the dashboard (the patient's home, its widgets filled by the
// domains' portal.Sources, arranged by them), the profile, security (sessions, recovery codes,
// password, re-authentication), second factors (an authenticator, passkeys)
// and, for patients, the people who may act for them (proxies), their orders
// (list, detail, pay, reorder) and their lists. Its audience is patients
// (and their proxies, who are patients too); staff reach only their own
// profile and security pages here. How one gets in is web/login. One file per
// action; routes in routes.go.
//
// Orders, lists and profiles are PHI: every page here opens them through
// their service, which audits each view.
package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/appointments"
	"github.com/salvehealth/salve/internal/billing"
	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/devices"
	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/lists"
	"github.com/salvehealth/salve/internal/orders"
	dash "github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/retention"
	"github.com/salvehealth/salve/internal/rx"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/web"
)

// Deps are what the portal's pages work with.
type Deps struct {
	Accounts *accounts.Service
	SignIn   *signin.Service
	Grants   *grants.Service
	Orders   *orders.Service
	Lists    *lists.Service
	// Rx are the patient's prescriptions.
	Rx *rx.Service
	// Appointments are the patient's appointments and booking.
	Appointments *appointments.Service
	// Labs are lab results (the results pages).
	Labs *labs.Service
	// Retention records a patient's request to delete their data and says
	// when it is destroyed (the account deletion page).
	Retention *retention.Service
	// Devices are the patient's devices and their readings (issue 17).
	Devices *devices.Service
	// Carts and CartCookies are the browser's cart: a reorder and a list
	// fill it, and a list is filled from it.
	Carts       *cart.Service
	CartCookies web.CartCookies
	// Sessions hands the browser the new session token when enrolling a
	// second factor finishes a sign-in.
	Sessions *web.SessionStarter
	// Dashboard keeps the arrangement of /account and counts opens;
	// Sources fill its widgets.
	Dashboard *dash.Service
	Sources   dash.Sources
	// Billing is the patient's bills and receipts (issue 16).
	Billing *billing.Service
}

// Handlers serve the pages under /account.
type Handlers struct {
	site         *web.Site
	accounts     *accounts.Service
	signin       *signin.Service
	grants       *grants.Service
	orders       *orders.Service
	lists        *lists.Service
	rx           *rx.Service
	appointments *appointments.Service
	labs         *labs.Service
	retention    *retention.Service
	devices      *devices.Service
	carts        *cart.Service
	cartCookies  web.CartCookies
	sessions     *web.SessionStarter
	dashboard    *dash.Service
	sources      dash.Sources
	billing      *billing.Service
	// rights are the amendment and privacy pages (amend_rights.go).
	rights rights
	// sharing are the pages of sharing with a sister brand (sharing.go).
	sharing sharing
	pages   struct {
		dashboard, profile, security, reauth, enrol, codes, proxies, orders, order, lists, prescriptions *render.Page
		appointments, book, appointment, results, result, trend                                          *render.Page
		deletion                                                                                         *render.Page
		// Billing and receipts (issue 16).
		billing, receipt, hsa *render.Page
		devices, readings     *render.Page
		// returnNew is the return form of a delivered order (issue 18).
		returnNew *render.Page
	}
}

// New returns the handlers; a missing template fails here.
func New(site *web.Site, d Deps) (*Handlers, error) {
	h := &Handlers{site: site, accounts: d.Accounts, signin: d.SignIn, grants: d.Grants, orders: d.Orders, lists: d.Lists, rx: d.Rx, appointments: d.Appointments,
		labs: d.Labs, retention: d.Retention, devices: d.Devices, carts: d.Carts, cartCookies: d.CartCookies, sessions: d.Sessions,
		dashboard: d.Dashboard, sources: d.Sources, billing: d.Billing}
	p := &h.pages
	if err := site.Pages(map[string]**render.Page{"portal/dashboard": &p.dashboard, "portal/profile": &p.profile, "portal/security": &p.security,
		"portal/reauth": &p.reauth, "portal/mfa_enrol": &p.enrol, "portal/recovery_codes": &p.codes, "portal/proxies": &p.proxies,
		"portal/orders": &p.orders, "portal/order": &p.order, "portal/lists": &p.lists,
		"portal/prescriptions": &p.prescriptions,
		"portal/appointments":  &p.appointments, "portal/appointment_book": &p.book, "portal/appointment": &p.appointment,
		"portal/results": &p.results, "portal/result": &p.result, "portal/trend": &p.trend,
		"portal/account_delete": &p.deletion,
		"portal/billing":        &p.billing, "portal/receipt": &p.receipt, "portal/hsa_receipt": &p.hsa,
		"portal/devices": &p.devices, "portal/readings": &p.readings, "portal/return_new": &p.returnNew}); err != nil {
		return nil, err
	}
	return h, nil
}

// render shows a page. Why no-store: every page here is personal, most hold
// PHI, and none may be kept by a browser or a proxy.
func (h *Handlers) render(w http.ResponseWriter, r *http.Request, p *render.Page, status int, title string, data any) error {
	w.Header().Set("Cache-Control", "no-store")
	return h.site.Render(w, r, p, status, title, data)
}
