package server_test

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// routeClasses is the security review of every route: its pattern and the class
// it must have. A new route fails TestEveryRouteIsClassified until it is added
// here, so that nobody adds a route without deciding who may reach it.
var routeClasses = map[string]access.Class{
	"GET /healthz":          access.Public,
	"GET /readyz":           access.Public,
	"GET /static/{path...}": access.Public,
	"GET /{$}":              access.Public,
	"GET /theme.css":        access.Public,
	"GET /logo":             access.Public,
	"GET /favicon.ico":      access.Public,
	"/":                     access.Public,
	// Ways in: anyone may try them.
	"GET /login":                     access.Public,
	"POST /login":                    access.Public,
	"GET /login/sso":                 access.Public,
	"POST /login/passkey/begin":      access.Public,
	"POST /login/passkey/finish":     access.Public,
	"POST /login/mfa/passkey/begin":  access.Customer,
	"POST /login/mfa/passkey/finish": access.Customer,
	"POST /account/passkeys/begin":   access.Customer,
	"POST /account/passkeys/finish":  access.Customer,
	"POST /account/passkeys/remove":  access.Customer,
	"GET /login/sso/callback":        access.Public,
	"GET /register":                  access.Public,
	"POST /register":                 access.Public,
	"GET /verify":                    access.Public,
	"POST /verify":                   access.Public,
	"GET /forgot":                    access.Public,
	"POST /forgot":                   access.Public,
	"GET /reset":                     access.Public,
	"POST /reset":                    access.Public,
	"GET /unlock":                    access.Public,
	"POST /unlock":                   access.Public,
	"GET /invite":                    access.Public,
	"POST /invite":                   access.Public,
	// Finishing sign-in (Partial sessions allowed) and the person's own account.
	"GET /login/mfa":                access.Customer,
	"POST /login/mfa":               access.Customer,
	"POST /logout":                  access.Customer,
	"GET /account/mfa":              access.Customer,
	"POST /account/mfa/begin":       access.Customer,
	"GET /account/mfa/qr.png":       access.Customer,
	"POST /account/mfa":             access.Customer,
	"GET /account":                  access.Customer,
	"GET /account/profile":          access.Customer,
	"POST /account/profile":         access.Customer,
	"GET /account/security":         access.Customer,
	"POST /account/sessions/revoke": access.Customer,
	"POST /account/recovery-codes":  access.Customer,
	"POST /account/password":        access.Customer,
	"POST /account/mfa/remove":      access.Customer,
	"GET /account/reauth":           access.Customer,
	"POST /account/reauth":          access.Customer,
	// Closing one's account and deleting one's data (issue 21).
	"GET /account/delete":          access.Customer,
	"POST /account/delete":         access.Customer,
	"GET /account/delete/confirm":  access.Customer,
	"POST /account/delete/confirm": access.Customer,
	"GET /account/closed":          access.Public,
	// Administration.
	"GET /account/orders/{id}/pay":   access.Customer,
	"POST /webhooks/stripe":          access.Public,
	"GET /admin":                     access.Admin,
	"POST /admin/users/invite":       access.Admin,
	"POST /admin/users/{id}/role":    access.Admin,
	"POST /admin/users/{id}/disable": access.Admin,
	"POST /admin/users/{id}/enable":  access.Admin,
	"GET /admin/outbox":              access.Admin,
	"POST /admin/outbox/{id}/open":   access.Admin,
	// A patient's proxies; emergency access and its review.
	"GET /account/proxies":                              access.Customer,
	"POST /account/proxies":                             access.Customer,
	"POST /account/proxies/revoke":                      access.Customer,
	"GET /account/sharing":                              access.Customer,
	"POST /account/sharing":                             access.Customer,
	"POST /account/sharing/{id}/revoke":                 access.Customer,
	"GET /staff/break-glass":                            access.Staff,
	"POST /staff/break-glass":                           access.Staff,
	"GET /staff/break-glass/{id}/orders":                access.Staff,
	"GET /staff/patients":                               access.Staff,
	"POST /staff/patients":                              access.Staff,
	"GET /staff/patients/{id}":                          access.Staff,
	"GET /admin/break-glass":                            access.Staff,
	"POST /admin/break-glass/{id}/review":               access.Staff,
	"GET /admin/compliance/retention":                   access.Staff,
	"POST /admin/compliance/retention":                  access.Staff,
	"GET /admin/compliance/retention/certificates/{id}": access.Staff,
	// Compliance operations (issue 19): changes with approvals, the
	// report and the data-flow diagram (compliance and admins).
	"GET /admin/compliance/changes":                 access.Staff,
	"POST /admin/compliance/changes/{id}/approve":   access.Staff,
	"POST /admin/compliance/changes/{id}/reject":    access.Staff,
	"POST /admin/compliance/changes/session-limits": access.Staff,
	"POST /admin/compliance/changes/sso":            access.Staff,
	"POST /admin/compliance/changes/working-hours":  access.Staff,
	"POST /admin/compliance/changes/policy":         access.Staff,
	"GET /admin/compliance":                         access.Staff,
	"GET /admin/compliance/data-flow":               access.Staff,
	"GET /admin/compliance/data-flow.svg":           access.Staff,
	// The patient's dashboard (issue 15): for themselves, or for someone
	// who granted them access; its arrangement; the PHI-free insights.
	"GET /account/for/{patient}":                           access.Customer,
	"GET /account/widgets/{key}":                           access.Customer,
	"POST /account/dashboard/order":                        access.Customer,
	"POST /account/dashboard/{key}/move":                   access.Customer,
	"POST /account/dashboard/{key}/hide":                   access.Customer,
	"POST /account/dashboard/{key}/restore":                access.Customer,
	"GET /admin/insights":                                  access.Staff,
	"GET /admin/catalog/organisation":                      access.Staff,
	"POST /admin/catalog/organisation/{id}":                access.Staff,
	"POST /admin/catalog/organisation/variants/{id}/price": access.Staff,
	"GET /admin/brand":                                     access.Staff,
	"POST /admin/brand/{key}":                              access.Staff,
	"POST /admin/brand/{key}/reset":                        access.Staff,
	// The organisation's page (white label): managers and admins at the
	// router; the handler admits only an organisation role's holder.
	"GET /admin/organisation":                       access.Staff,
	"POST /admin/organisation/settings/{key}":       access.Staff,
	"POST /admin/organisation/settings/{key}/reset": access.Staff,
	"POST /admin/organisation/roles":                access.Staff,
	"POST /admin/organisation/roles/{user}/revoke":  access.Staff,
	"POST /admin/organisation/session-limits":       access.Staff,
	// Sister brands' shared records: the staff who view patients read
	// them; the admin assigns care.
	"GET /staff/shared":                                                    access.Staff,
	"GET /staff/shared/{brand}/{id}":                                       access.Staff,
	"GET /admin/shared-care":                                               access.Admin,
	"POST /admin/shared-care":                                              access.Admin,
	"POST /admin/shared-care/remove":                                       access.Admin,
	"POST /admin/catalog/organisation/variants/{id}/stock":                 access.Staff,
	"GET /admin/catalog/organisation/products":                             access.Staff,
	"GET /admin/catalog/organisation/products/new":                         access.Staff,
	"POST /admin/catalog/organisation/products":                            access.Staff,
	"GET /admin/catalog/organisation/products/{id}":                        access.Staff,
	"POST /admin/catalog/organisation/products/{id}":                       access.Staff,
	"POST /admin/catalog/organisation/products/{id}/images":                access.Staff,
	"POST /admin/catalog/organisation/products/{id}/images/{image}/delete": access.Staff,
	// Shipping and tax settings (issue 18): store managers and admins.
	"GET /admin/shipping":                               access.Staff,
	"POST /admin/shipping/methods":                      access.Staff,
	"POST /admin/shipping/methods/{code}/delete":        access.Staff,
	"POST /admin/shipping/zones":                        access.Staff,
	"POST /admin/shipping/zones/{code}/delete":          access.Staff,
	"POST /admin/shipping/rates":                        access.Staff,
	"POST /admin/shipping/rates/{method}/{zone}/delete": access.Staff,
	"GET /admin/tax":                                    access.Staff,
	"POST /admin/tax/{region}":                          access.Staff,
	"POST /admin/insights/pin":                          access.Staff,
	"POST /admin/insights/unpin":                        access.Staff,

	// Catalog: public, non-personal data.
	"GET /products":               access.Public,
	"GET /products/{slug}":        access.Public,
	"GET /categories/{slug}":      access.Public,
	"GET /pages/{slug}":           access.Public,
	"GET /legal/{page}":           access.Public,
	"GET /pages/{slug}/form":      access.Public,
	"POST /pages/{slug}/form":     access.Public,
	"GET /pages/{slug}/thanks":    access.Public,
	"GET /media/{sha}/{size}":     access.Public,
	"GET /api/v1/products":        access.Public,
	"GET /api/v1/products/{slug}": access.Public,
	"GET /api/v1/openapi.json":    access.Public,
	"/api/v1/":                    access.Public, // any other API path: a JSON 404

	// The cart belongs to a browser, not a person: public.
	"GET /cart":               access.Public,
	"POST /cart/items":        access.Public,
	"POST /cart/items/{id}":   access.Public,
	"GET /api/v1/cart":        access.Public,
	"POST /api/v1/cart/items": access.Public,
	"GET /api/v1/orders":      access.API,
	"GET /api/v1/orders/{id}": access.API,
	// Issue 18 point 4: a patient's lists and results for a session or a
	// personal token; the pages that make and revoke tokens.
	"GET /api/v1/lists":                access.API,
	"GET /api/v1/results":              access.API,
	"GET /api/v1/results/{id}":         access.API,
	"GET /account/tokens":              access.Customer,
	"POST /account/tokens":             access.Customer,
	"POST /account/tokens/{id}/revoke": access.Customer,
	"GET /admin/tokens":                access.Admin,
	"POST /admin/tokens":               access.Admin,
	"POST /admin/tokens/{id}/revoke":   access.Admin,
	// Issue 18 point 4: OAuth for the tenant's mobile app: the patient's
	// consent and connected apps, the app's token and revocation endpoints
	// (the code, verifier or refresh token is the credential), the admin's
	// registered apps (changed through approvals).
	"GET /oauth/authorize":           access.Customer,
	"POST /oauth/authorize":          access.Customer,
	"POST /oauth/token":              access.Public,
	"POST /oauth/revoke":             access.Public,
	"GET /account/apps":              access.Customer,
	"POST /account/apps/{id}/revoke": access.Customer,
	"GET /admin/apps":                access.Admin,
	"POST /admin/apps":               access.Admin,
	"POST /admin/apps/{id}/disable":  access.Admin,
	// Checkout and orders: signed-in patients (httpx.Roles).
	"GET /checkout":                                   access.Customer,
	"POST /checkout":                                  access.Customer,
	"POST /checkout/pay":                              access.Customer,
	"GET /account/orders":                             access.Customer,
	"GET /account/orders/{id}":                        access.Customer,
	"POST /account/orders/{id}/reorder":               access.Customer,
	"GET /account/lists":                              access.Customer,
	"POST /account/lists":                             access.Customer,
	"POST /account/lists/{id}/items":                  access.Customer,
	"POST /account/lists/{id}/items/{variant}/remove": access.Customer,
	"POST /account/lists/{id}/cart":                   access.Customer,
	"POST /account/lists/{id}/from-cart":              access.Customer,
	// Prescriptions: the patient's own (httpx.Roles: patients).
	"GET /account/prescriptions":              access.Customer,
	"POST /account/prescriptions":             access.Customer,
	"POST /account/prescriptions/{id}/refill": access.Customer,
	// The pharmacist's queue (httpx.Roles: pharmacists only).
	// Secure messaging (issue 16): the patient's threads, the staff inbox
	// per team, the admin's teams.
	"GET /account/messages":                                 access.Customer,
	"GET /account/messages/new":                             access.Customer,
	"POST /account/messages":                                access.Customer,
	"GET /account/messages/{id}":                            access.Customer,
	"POST /account/messages/{id}/reply":                     access.Customer,
	"GET /account/messages/attachments/{id}":                access.Customer,
	"GET /staff/messages":                                   access.Staff,
	"GET /staff/messages/{id}":                              access.Staff,
	"POST /staff/messages/{id}/reply":                       access.Staff,
	"POST /staff/messages/{id}/assign":                      access.Staff,
	"POST /staff/messages/{id}/status":                      access.Staff,
	"GET /staff/messages/attachments/{id}":                  access.Staff,
	"GET /admin/messages/teams":                             access.Admin,
	"POST /admin/messages/teams":                            access.Admin,
	"POST /admin/messages/teams/{id}/members":               access.Admin,
	"POST /admin/messages/teams/{id}/members/{user}/remove": access.Admin,
	"GET /staff/prescriptions":                              access.Staff,
	"GET /staff/prescriptions/{id}":                         access.Staff,
	"GET /staff/prescriptions/{id}/document":                access.Staff,
	"POST /staff/prescriptions/{id}/verify":                 access.Staff,
	"POST /staff/prescriptions/{id}/reject":                 access.Staff,
	// Appointments: the patient's own; a clinician's day and hours; the
	// offer (types, locations, window) for store managers and admins.
	"GET /account/appointments":                                    access.Customer,
	"POST /account/appointments/slots":                             access.Customer,
	"POST /account/appointments":                                   access.Customer,
	"GET /account/appointments/{id}":                               access.Customer,
	"POST /account/appointments/{id}/reschedule":                   access.Customer,
	"POST /account/appointments/{id}/cancel":                       access.Customer,
	"GET /staff/appointments":                                      access.Staff,
	"GET /staff/appointments/availability":                         access.Staff,
	"POST /staff/appointments/availability/name":                   access.Staff,
	"POST /staff/appointments/availability/hours":                  access.Staff,
	"POST /staff/appointments/availability/hours/{id}/remove":      access.Staff,
	"POST /staff/appointments/availability/exceptions":             access.Staff,
	"POST /staff/appointments/availability/exceptions/{id}/remove": access.Staff,
	"GET /admin/appointments":                                      access.Staff,
	"POST /admin/appointments/types":                               access.Staff,
	"POST /admin/appointments/types/{id}/retire":                   access.Staff,
	"POST /admin/appointments/types/{id}/offer":                    access.Staff,
	"POST /admin/appointments/locations":                           access.Staff,
	"POST /admin/appointments/window":                              access.Staff,
	// Staff order pages: staff, and the router lets only customer service,
	// pharmacists and fulfillment through (httpx.Roles).
	// The staff home: every staff role (it lists what each may open).
	"GET /staff":                        access.Staff,
	"POST /staff/brand":                 access.Staff,
	"GET /staff/orders":                 access.Staff,
	"GET /staff/orders/{id}":            access.Staff,
	"POST /staff/orders/{id}/mark-paid": access.Staff,
	"POST /staff/orders/{id}/release":   access.Staff,
	"POST /staff/orders/{id}/prepare":   access.Staff,
	"POST /staff/orders/{id}/ship":      access.Staff,
	"POST /staff/orders/{id}/deliver":   access.Staff,
	"POST /staff/orders/{id}/cancel":    access.Staff,
	"POST /staff/orders/{id}/refund":    access.Staff,
	// Returns (issue 18 point 2): the patient asks; order staff decide,
	// receive and refund (the service checks the role per step).
	"GET /account/orders/{id}/return":                  access.Customer,
	"POST /account/orders/{id}/return":                 access.Customer,
	"GET /staff/orders/returns":                        access.Staff,
	"POST /staff/orders/{id}/returns/{return}/approve": access.Staff,
	"POST /staff/orders/{id}/returns/{return}/reject":  access.Staff,
	"POST /staff/orders/{id}/returns/{return}/receive": access.Staff,
	"POST /staff/orders/{id}/returns/{return}/refund":  access.Staff,
	// Lab results: a patient's (and their proxy's) pages; a clinician's
	// pages and the FHIR import (staff, and the router lets only
	// clinicians through: httpx.Roles).
	"GET /account/results":                  access.Customer,
	"GET /account/results/{id}":             access.Customer,
	"GET /account/results/{id}/trend/{obs}": access.Customer,
	"GET /staff/results":                    access.Staff,
	"GET /staff/results/new":                access.Staff,
	"POST /staff/results":                   access.Staff,
	"POST /staff/results/{id}/release":      access.Staff,
	"POST /staff/results/{id}/acknowledge":  access.Staff,
	"POST /api/v1/fhir/Bundle":              access.Staff,

	// Billing (issue 16): the patient's bills, receipts and HSA/FSA
	// receipts (HTML and PDF).
	"GET /account/billing":                        access.Customer,
	"GET /account/billing/{year}/hsa-receipt":     access.Customer,
	"GET /account/billing/{year}/hsa-receipt.pdf": access.Customer,
	"GET /account/orders/{id}/receipt":            access.Customer,
	"GET /account/orders/{id}/hsa-receipt":        access.Customer,
	"GET /account/orders/{id}/hsa-receipt.pdf":    access.Customer,
	// Issue 16, right of access and accounting: a patient's (and a proxy's,
	// within the grant: ?for=) copy of their record and access log with the
	// accounting of disclosures (httpx.Roles: patients); the staff page that
	// records a disclosure (httpx.Roles: customer service, pharmacists,
	// clinicians, fulfillment).
	"GET /account/records":                    access.Customer,
	"POST /account/records":                   access.Customer,
	"GET /account/records/{id}/download":      access.Customer,
	"GET /account/access-log":                 access.Customer,
	"GET /account/access-log/disclosures.csv": access.Customer,
	"GET /staff/patients/{id}/disclosures":    access.Staff,
	"POST /staff/patients/{id}/disclosures":   access.Staff,
	// Patient rights (issue 16 parts 5 and 7): a patient's (and proxy's)
	// correction requests and their own marketing authorizations; the care
	// team decides corrections; compliance reads the clock; managers count
	// a targeted promotion's reach (httpx.Roles narrows each).
	"GET /account/amendments":                access.Customer,
	"GET /account/amendments/new":            access.Customer,
	"POST /account/amendments":               access.Customer,
	"GET /account/amendments/{id}":           access.Customer,
	"POST /account/amendments/{id}/disagree": access.Customer,
	"GET /account/privacy":                   access.Customer,
	// Digital forms (issue 18): the patient fills them in and reads their
	// own answers; store managers and admins build them.
	"GET /account/forms":                       access.Customer,
	"GET /account/forms/{id}":                  access.Customer,
	"POST /account/forms/{id}":                 access.Customer,
	"GET /account/forms/responses/{id}":        access.Customer,
	"GET /account/forms/responses/{id}/fhir":   access.Customer,
	"GET /admin/forms":                         access.Staff,
	"GET /admin/forms/new":                     access.Staff,
	"POST /admin/forms":                        access.Staff,
	"GET /admin/forms/{id}":                    access.Staff,
	"POST /admin/forms/{id}":                   access.Staff,
	"GET /admin/forms/{id}/questionnaire":      access.Staff,
	"GET /staff/patients/{id}/forms":           access.Staff,
	"GET /staff/forms/{id}/responses":          access.Staff,
	"POST /account/privacy":                    access.Customer,
	"POST /account/privacy/{id}/revoke":        access.Customer,
	"GET /staff/amendments":                    access.Staff,
	"GET /staff/amendments/{id}":               access.Staff,
	"POST /staff/amendments/{id}/accept":       access.Staff,
	"POST /staff/amendments/{id}/deny":         access.Staff,
	"POST /staff/amendments/{id}/extend":       access.Staff,
	"GET /admin/compliance/amendments":         access.Staff,
	"GET /admin/catalog/promotions/{id}/reach": access.Staff,
	// Devices (issue 17): pairing (public: the code is the credential),
	// ingestion (device tokens only), the patient's pages, and the
	// clinicians' alert queue and a patient's readings.
	"POST /api/v1/devices/pair":                                access.Public,
	"POST /api/v1/devices/readings":                            access.Device,
	"GET /account/devices":                                     access.Customer,
	"POST /account/devices":                                    access.Customer,
	"POST /account/devices/{id}/code":                          access.Customer,
	"POST /account/devices/bluetooth":                          access.Customer,
	"POST /account/devices/{id}/revoke":                        access.Customer,
	"GET /account/devices/readings/{type}":                     access.Customer,
	"GET /account/devices/readings/{type}/csv":                 access.Customer,
	"GET /staff/device-alerts":                                 access.Staff,
	"GET /staff/patients/{id}/devices":                         access.Staff,
	"POST /staff/patients/{id}/devices/thresholds":             access.Staff,
	"POST /staff/patients/{id}/devices/alerts/{alert}/resolve": access.Staff,

	// Catalog administration: staff, and the router lets only store managers
	// and admins through (httpx.Roles).
	"GET /admin/catalog":                                      access.Staff,
	"GET /admin/catalog/products/new":                         access.Staff,
	"POST /admin/catalog/products":                            access.Staff,
	"GET /admin/catalog/products/{id}":                        access.Staff,
	"POST /admin/catalog/products/{id}":                       access.Staff,
	"POST /admin/catalog/products/{id}/status":                access.Staff,
	"POST /admin/catalog/products/{id}/images":                access.Staff,
	"POST /admin/catalog/products/{id}/images/{image}/delete": access.Staff,
	"GET /admin/catalog/categories":                           access.Staff,
	"POST /admin/catalog/categories":                          access.Staff,
	"POST /admin/catalog/categories/{id}/delete":              access.Staff,
	"GET /admin/catalog/pages":                                access.Staff,
	"GET /admin/catalog/pages/new":                            access.Staff,
	"POST /admin/catalog/pages":                               access.Staff,
	"GET /admin/catalog/pages/{slug}":                         access.Staff,
	"POST /admin/catalog/pages/{slug}":                        access.Staff,
	"POST /admin/catalog/pages/{slug}/delete":                 access.Staff,
	"GET /admin/catalog/menu":                                 access.Staff,
	"POST /admin/catalog/menu":                                access.Staff,
	"GET /admin/catalog/promotions":                           access.Staff,
	"POST /admin/catalog/promotions":                          access.Staff,
	"GET /admin/catalog/promotions/{id}":                      access.Staff,
	"POST /admin/catalog/promotions/{id}":                     access.Staff,
	"POST /admin/catalog/promotions/{id}/pause":               access.Staff,
	"POST /admin/catalog/promotions/{id}/resume":              access.Staff,
	"POST /admin/catalog/promotions/{id}/end":                 access.Staff,
	"POST /admin/catalog/promotions/{id}/duplicate":           access.Staff,
	"GET /admin/catalog/export.csv":                           access.Staff,
	"POST /admin/catalog/import":                              access.Staff,
	// Vendors and BAAs, outgoing webhooks (issue 19): compliance and
	// admins look; only compliance edits vendors (httpx.Roles).
	"GET /admin/compliance/vendors":                access.Staff,
	"POST /admin/compliance/vendors":               access.Staff,
	"POST /admin/compliance/vendors/{id}":          access.Staff,
	"POST /admin/compliance/vendors/{id}/document": access.Staff,
	"GET /admin/compliance/vendors/{id}/document":  access.Staff,
	"POST /admin/compliance/integrations/{key}":    access.Staff,
	"GET /admin/compliance/webhooks":               access.Staff,
	"POST /admin/compliance/webhooks":              access.Staff,
	"POST /admin/compliance/webhooks/{id}/test":    access.Staff,
	"POST /admin/compliance/webhooks/{id}/disable": access.Staff,
	"POST /admin/compliance/webhooks/{id}/phi":     access.Staff,
	// Incidents and breach notification (issue 19): the compliance
	// officer only (httpx.Roles); the patient's own notices.
	"GET /admin/compliance/incidents":                       access.Staff,
	"POST /admin/compliance/incidents":                      access.Staff,
	"GET /admin/compliance/incidents/hhs-log.csv":           access.Staff,
	"GET /admin/compliance/incidents/{id}":                  access.Staff,
	"POST /admin/compliance/incidents/{id}/affected":        access.Staff,
	"POST /admin/compliance/incidents/{id}/assessment":      access.Staff,
	"POST /admin/compliance/incidents/{id}/letter":          access.Staff,
	"POST /admin/compliance/incidents/{id}/notify":          access.Staff,
	"POST /admin/compliance/incidents/{id}/close":           access.Staff,
	"GET /admin/compliance/incidents/{id}/letters/{person}": access.Staff,
	"GET /account/notices":                                  access.Customer,
	"GET /account/notices/{id}/letter":                      access.Customer,
	// Scheduled reviews (compliance and admins), the activity review and
	// the audit events behind it (the compliance officer), issue 19.
	"GET /admin/compliance/reviews":               access.Staff,
	"POST /admin/compliance/reviews":              access.Staff,
	"GET /admin/compliance/reviews/{id}/evidence": access.Staff,
	"GET /admin/compliance/reviews/{id}/file":     access.Staff,
	"GET /admin/compliance/activity":              access.Staff,
	"GET /admin/compliance/audit":                 access.Staff,
}

// routeRoles are the routes limited to roles (httpx.Roles) and their roles.
var routeRoles = map[string][]access.Role{}

func init() {
	for p, c := range routeClasses {
		if c == access.Staff && strings.HasPrefix(strings.SplitN(p, " ", 2)[1], "/admin/catalog") {
			routeRoles[p] = []access.Role{access.RoleStoreManager, access.RoleAdmin}
		}
		if c == access.Staff && (strings.HasPrefix(strings.SplitN(p, " ", 2)[1], "/staff/results") || p == "POST /api/v1/fhir/Bundle") {
			routeRoles[p] = []access.Role{access.RoleClinician}
		}
		if c == access.Staff && strings.HasPrefix(strings.SplitN(p, " ", 2)[1], "/staff/orders") {
			routeRoles[p] = []access.Role{access.RoleCustomerService, access.RolePharmacist, access.RoleFulfillment}
		}
		if c == access.Staff && strings.HasPrefix(strings.SplitN(p, " ", 2)[1], "/staff/prescriptions") {
			routeRoles[p] = []access.Role{access.RolePharmacist}
		}
		// Secure messaging (issue 16): the staff who answer messages.
		if c == access.Staff && strings.HasPrefix(strings.SplitN(p, " ", 2)[1], "/staff/messages") {
			routeRoles[p] = []access.Role{access.RoleCustomerService, access.RolePharmacist, access.RoleClinician}
		}
		// Issue 16: recording a disclosure.
		if c == access.Staff && strings.HasSuffix(p, "/disclosures") {
			routeRoles[p] = []access.Role{access.RoleCustomerService, access.RolePharmacist, access.RoleClinician, access.RoleFulfillment}
		}
		// Incidents (issue 19): the compliance officer alone.
		if c == access.Staff && strings.HasPrefix(strings.SplitN(p, " ", 2)[1], "/admin/compliance/incidents") {
			routeRoles[p] = []access.Role{access.RoleCompliance}
		}
		// Devices (issue 17): clinicians only.
		if c == access.Staff && (strings.Contains(p, "/devices") || strings.HasPrefix(strings.SplitN(p, " ", 2)[1], "/staff/device-alerts")) {
			routeRoles[p] = []access.Role{access.RoleClinician}
		}
	}
}

// TestCatalogAdminRoutesNeedStoreManager checks every admin catalog route's roles.
func TestCatalogAdminRoutesNeedStoreManager(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	for _, r := range s.Router().Routes() {
		want, ok := routeRoles[r.Pattern]
		if !ok {
			continue
		}
		if !slices.Equal(r.Roles, want) {
			t.Errorf("%s: roles %v, want %v", r.Pattern, r.Roles, want)
		}
	}
}

// checkClasses returns a problem for every route that is unclassified, not in
// the table, or classified differently from the table, and for every table
// entry without a route.
func checkClasses(routes []httpx.Route, table map[string]access.Class) []string {
	var problems []string
	seen := make(map[string]bool)
	for _, r := range routes {
		seen[r.Pattern] = true
		want, ok := table[r.Pattern]
		switch {
		case !r.Class.Valid():
			problems = append(problems, r.Pattern+": unclassified")
		case !ok:
			problems = append(problems, r.Pattern+": not in the route table; decide its class and add it")
		case r.Class != want:
			problems = append(problems, r.Pattern+": class "+r.Class.String()+", the table says "+want.String())
		}
	}
	for p := range table {
		if !seen[p] {
			problems = append(problems, p+": in the table but not registered")
		}
	}
	return problems
}

// TestEveryRouteIsClassified walks the router of a fully built server.
func TestEveryRouteIsClassified(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	if err := s.Router().Err(); err != nil {
		t.Fatal(err)
	}
	for _, p := range checkClasses(s.Router().Routes(), routeClasses) {
		t.Error(p)
	}
}

// TestClassCheckCatchesMistakes shows that the walk above fails when a route is
// unclassified, missing from the table or classified differently, and that an
// unclassified route is refused at start-up and denied if served anyway.
func TestClassCheckCatchesMistakes(t *testing.T) {
	resp := httpx.NewResponder(testkitLogger(t), nil)
	rt := httpx.NewRouter(resp, nil, httpx.DenyAllButPublic, 1<<20)
	ok := func(w http.ResponseWriter, r *http.Request) error { _, err := w.Write([]byte("reached")); return err }
	rt.Handle(access.Unclassified, "GET /oops", ok, httpx.NoTenant())
	rt.Handle(access.Public, "GET /new", ok, httpx.NoTenant())
	rt.Handle(access.Customer, "GET /changed", ok, httpx.NoTenant())
	problems := checkClasses(rt.Routes(), map[string]access.Class{"GET /changed": access.Public, "GET /gone": access.Public})
	if len(problems) != 4 {
		t.Fatalf("want 4 problems (unclassified, not in table, changed, gone), got %q", problems)
	}
	if rt.Err() == nil {
		t.Fatal("an unclassified route must fail start-up")
	}
	rec := testkit.Record(rt, "GET", "/oops")
	if rec.Code != 404 || rec.Body.String() == "reached" {
		t.Fatalf("an unclassified route was served: %d %q", rec.Code, rec.Body.String())
	}
	if rec := testkit.Record(rt, "GET", "/new"); rec.Body.String() != "reached" {
		t.Fatalf("public route not served: %d", rec.Code)
	}
	if rec := testkit.Record(rt, "GET", "/changed"); rec.Code != 404 {
		t.Fatalf("customer route without identity = %d", rec.Code)
	}
}

func testkitLogger(t *testing.T) *slog.Logger {
	t.Helper()
	return (&testkit.LogBuffer{}).Logger()
}
