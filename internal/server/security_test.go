package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apitokens"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/appointments"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/web"
)

// audience is who may reach a route.
type audience string

const (
	everyone   audience = "everyone"  // public
	signedIn   audience = "signed-in" // any finished sign-in, patient or staff
	finishing  audience = "finishing" // signed-in, or half-way (second factor pending)
	staffOnly  audience = "staff"     // any staff role, admin included
	adminOnly  audience = "admin"
	patients   audience = "patients"   // patients only (and so proxies)
	careTeam   audience = "care team"  // clinicians and pharmacists
	reviewers  audience = "reviewers"  // compliance and admins
	managers   audience = "managers"   // store managers and admins (the catalog)
	clinicians audience = "clinicians" // a clinician's own day and hours
	// orderStaff are the staff whose work needs orders.
	orderStaff audience = "order staff" // customer service, pharmacists, fulfillment
	// pharmacists alone work the prescription queue.
	pharmacists audience = "pharmacists"
	// patientViewers are the staff whose work needs a patient's page.
	patientViewers audience = "patient viewers" // clinicians, pharmacists, customer service
	// messageStaff answer patients' messages (issue 16); which threads is
	// decided per team (TestMessageObjectsAnswerLikeAbsence).
	messageStaff audience = "message staff" // customer service, pharmacists, clinicians
	// disclosers are the staff who send patients' data out (issue 16).
	disclosers audience = "disclosers" // customer service, pharmacists, clinicians, fulfillment
	// officers: the compliance officer alone (issue 19: editing vendors).
	officers audience = "compliance officer"
	// deviceTokens: a paired device's token, and nothing else (issue 17).
	deviceTokens audience = "device tokens"
)

// routePolicy is the access policy of every route, kept beside the route
// table: the security matrix test checks every route against it for every
// kind of person.
var routePolicy = map[string]audience{}

func init() {
	for pattern, class := range routeClasses {
		switch class {
		case access.Public:
			routePolicy[pattern] = everyone
		case access.Customer:
			routePolicy[pattern] = signedIn
		case access.Staff:
			routePolicy[pattern] = staffOnly
			if strings.Contains(pattern, " /admin/catalog") {
				routePolicy[pattern] = managers
			}
			if strings.Contains(pattern, " /admin/insights") || strings.Contains(pattern, " /admin/brand") || strings.Contains(pattern, " /admin/organisation") ||
				strings.Contains(pattern, " /admin/shipping") || strings.Contains(pattern, " /admin/tax") {
				routePolicy[pattern] = managers
			}
			if strings.Contains(pattern, " /staff/orders") {
				routePolicy[pattern] = orderStaff
			}
			if strings.Contains(pattern, " /staff/prescriptions") {
				routePolicy[pattern] = pharmacists
			}
			if strings.Contains(pattern, " /staff/appointments") {
				routePolicy[pattern] = clinicians
			}
			if strings.Contains(pattern, " /admin/appointments") {
				routePolicy[pattern] = managers
			}
			if strings.Contains(pattern, " /staff/results") || pattern == "POST /api/v1/fhir/Bundle" {
				routePolicy[pattern] = clinicians
			}
		case access.Admin:
			routePolicy[pattern] = adminOnly
		}
	}
	for _, p := range []string{"GET /login/mfa", "POST /login/mfa", "POST /logout", "GET /account/mfa", "POST /account/mfa/begin",
		"GET /account/mfa/qr.png", "POST /account/mfa", "POST /login/mfa/passkey/begin", "POST /login/mfa/passkey/finish",
		"POST /account/passkeys/begin", "POST /account/passkeys/finish"} {
		routePolicy[p] = finishing
	}
	for _, p := range []string{"GET /account/proxies", "POST /account/proxies", "POST /account/proxies/revoke",
		"GET /account/sharing", "POST /account/sharing", "POST /account/sharing/{id}/revoke",
		"GET /checkout", "POST /checkout", "POST /checkout/pay", "GET /account/orders", "GET /account/orders/{id}",
		"POST /account/orders/{id}/reorder", "GET /account/orders/{id}/pay", "GET /account/orders/{id}/return", "POST /account/orders/{id}/return", "GET /api/v1/orders", "GET /api/v1/orders/{id}",
		"GET /account/lists", "POST /account/lists", "POST /account/lists/{id}/items", "POST /account/lists/{id}/items/{variant}/remove",
		"POST /account/lists/{id}/cart", "POST /account/lists/{id}/from-cart",
		"GET /account/prescriptions", "POST /account/prescriptions", "POST /account/prescriptions/{id}/refill",
		"GET /account/appointments", "POST /account/appointments/slots", "POST /account/appointments", "GET /account/appointments/{id}",
		"POST /account/appointments/{id}/reschedule", "POST /account/appointments/{id}/cancel",
		"GET /account/for/{patient}", "GET /account/widgets/{key}", "POST /account/dashboard/order", "POST /account/dashboard/{key}/move",
		"POST /account/dashboard/{key}/hide", "POST /account/dashboard/{key}/restore",
		"GET /account/results", "GET /account/results/{id}", "GET /account/results/{id}/trend/{obs}",
		"GET /account/delete", "POST /account/delete", "GET /account/delete/confirm", "POST /account/delete/confirm"} {
		routePolicy[p] = patients
	}
	// Billing (issue 16): patients and their proxies; the service decides
	// the billing class per record.
	for _, p := range []string{"GET /account/billing", "GET /account/billing/{year}/hsa-receipt", "GET /account/billing/{year}/hsa-receipt.pdf",
		"GET /account/orders/{id}/receipt", "GET /account/orders/{id}/hsa-receipt", "GET /account/orders/{id}/hsa-receipt.pdf"} {
		routePolicy[p] = patients
	}
	routePolicy["GET /staff/break-glass"], routePolicy["POST /staff/break-glass"] = careTeam, careTeam
	routePolicy["GET /staff/break-glass/{id}/orders"] = careTeam
	for _, p := range []string{"GET /staff/patients", "POST /staff/patients", "GET /staff/patients/{id}", "GET /staff/shared", "GET /staff/shared/{brand}/{id}"} {
		routePolicy[p] = patientViewers
	}
	// Secure messaging (issue 16): the patient's side is patients (and so
	// proxies); the inbox is the staff who answer messages.
	for _, p := range []string{"GET /account/messages", "GET /account/messages/new", "POST /account/messages",
		"GET /account/messages/{id}", "POST /account/messages/{id}/reply", "GET /account/messages/attachments/{id}"} {
		routePolicy[p] = patients
	}
	for _, p := range []string{"GET /staff/messages", "GET /staff/messages/{id}", "POST /staff/messages/{id}/reply",
		"POST /staff/messages/{id}/assign", "POST /staff/messages/{id}/status", "GET /staff/messages/attachments/{id}"} {
		routePolicy[p] = messageStaff
	}
	// Issue 16: a patient's copy of their record and access log (proxies
	// within the grant, decided per patient); staff recording a disclosure.
	for _, p := range []string{"GET /account/records", "POST /account/records", "GET /account/records/{id}/download",
		"GET /account/access-log", "GET /account/access-log/disclosures.csv"} {
		routePolicy[p] = patients
	}
	routePolicy["GET /staff/patients/{id}/disclosures"], routePolicy["POST /staff/patients/{id}/disclosures"] = disclosers, disclosers
	routePolicy["GET /admin/break-glass"], routePolicy["POST /admin/break-glass/{id}/review"] = reviewers, reviewers
	// Devices (issue 17): the patient's pages; the clinicians' pages; the
	// ingestion route takes device tokens only (no session persona).
	for _, p := range []string{"GET /account/devices", "POST /account/devices", "POST /account/devices/{id}/code",
		"POST /account/devices/bluetooth", "POST /account/devices/{id}/revoke", "GET /account/devices/readings/{type}", "GET /account/devices/readings/{type}/csv"} {
		routePolicy[p] = patients
	}
	for _, p := range []string{"GET /staff/device-alerts", "GET /staff/patients/{id}/devices", "POST /staff/patients/{id}/devices/thresholds",
		"POST /staff/patients/{id}/devices/alerts/{alert}/resolve"} {
		routePolicy[p] = clinicians
	}
	routePolicy["POST /api/v1/devices/readings"] = deviceTokens
	// API tokens (issue 18 point 4): the patient data API and the page of
	// personal tokens are the patient's (and so a proxy's); /admin/tokens
	// is the admin's (class Admin).
	for _, p := range []string{"GET /api/v1/lists", "GET /api/v1/results", "GET /api/v1/results/{id}",
		"GET /account/tokens", "POST /account/tokens", "POST /account/tokens/{id}/revoke",
		// OAuth (issue 18 point 4): a patient approves an app and disconnects it.
		"GET /oauth/authorize", "POST /oauth/authorize", "GET /account/apps", "POST /account/apps/{id}/revoke"} {
		routePolicy[p] = patients
	}
	for _, p := range []string{"GET /admin/compliance/retention", "POST /admin/compliance/retention",
		"GET /admin/compliance/retention/certificates/{id}"} {
		routePolicy[p] = reviewers
	}
	// Compliance operations (issue 19): compliance officers and admins.
	for _, p := range []string{"GET /admin/compliance/changes", "POST /admin/compliance/changes/{id}/approve",
		"POST /admin/compliance/changes/{id}/reject", "POST /admin/compliance/changes/session-limits", "POST /admin/compliance/changes/sso", "POST /admin/compliance/changes/working-hours", "POST /admin/compliance/changes/policy", "GET /admin/compliance", "GET /admin/compliance/data-flow",
		"GET /admin/compliance/data-flow.svg"} {
		routePolicy[p] = reviewers
	}
	// Vendors and BAAs, outgoing webhooks (issue 19).
	for _, p := range []string{"GET /admin/compliance/vendors", "GET /admin/compliance/vendors/{id}/document",
		"GET /admin/compliance/webhooks", "POST /admin/compliance/webhooks", "POST /admin/compliance/webhooks/{id}/test",
		"POST /admin/compliance/webhooks/{id}/disable", "POST /admin/compliance/webhooks/{id}/phi"} {
		routePolicy[p] = reviewers
	}
	for _, p := range []string{"POST /admin/compliance/vendors", "POST /admin/compliance/vendors/{id}",
		"POST /admin/compliance/vendors/{id}/document", "POST /admin/compliance/integrations/{key}"} {
		routePolicy[p] = officers
	}
	// Incidents and breach notification (issue 19): the compliance officer
	// alone; the notices, the patient's own (object-level checks in
	// incidents_test.go).
	for p := range routeClasses {
		if strings.Contains(p, " /admin/compliance/incidents") {
			routePolicy[p] = officers
		}
	}
	routePolicy["GET /account/notices"], routePolicy["GET /account/notices/{id}/letter"] = patients, patients
	// Scheduled reviews (issue 19): compliance and admins; the activity
	// review and the audit events: the compliance officer alone.
	for _, p := range []string{"GET /admin/compliance/reviews", "POST /admin/compliance/reviews", "GET /admin/compliance/reviews/{id}/evidence",
		"GET /admin/compliance/reviews/{id}/file"} {
		routePolicy[p] = reviewers
	}
	routePolicy["GET /admin/compliance/activity"], routePolicy["GET /admin/compliance/audit"] = officers, officers
	// Patient rights (issue 16 parts 5 and 7): amendments and marketing
	// authorizations. The object-level checks (own, other patient, proxy,
	// other tenant) are in rights_test.go.
	for _, p := range []string{"GET /account/amendments", "GET /account/amendments/new", "POST /account/amendments",
		"GET /account/amendments/{id}", "POST /account/amendments/{id}/disagree",
		"GET /account/privacy", "POST /account/privacy", "POST /account/privacy/{id}/revoke"} {
		routePolicy[p] = patients
	}
	// Deciding amendments: clinicians (lab results), pharmacists
	// (prescriptions) and customer service (profiles); which requests is
	// decided per class (TestAmendmentObjectsAnswerLikeAbsence,
	// TestProfileAmendmentObjectsAnswerLikeAbsence).
	for _, p := range []string{"GET /staff/amendments", "GET /staff/amendments/{id}", "POST /staff/amendments/{id}/accept",
		"POST /staff/amendments/{id}/deny", "POST /staff/amendments/{id}/extend"} {
		routePolicy[p] = patientViewers
	}
	routePolicy["GET /admin/compliance/amendments"] = reviewers
	// Digital forms (issue 18): patients fill them in and read their own
	// answers; store managers and admins build them. The object-level
	// checks are in forms_test.go (TestFormObjectsAnswerLikeAbsence).
	for _, p := range []string{"GET /account/forms", "GET /account/forms/{id}", "POST /account/forms/{id}",
		"GET /account/forms/responses/{id}", "GET /account/forms/responses/{id}/fhir"} {
		routePolicy[p] = patients
	}
	for _, p := range []string{"GET /admin/forms", "GET /admin/forms/new", "POST /admin/forms", "GET /admin/forms/{id}",
		"POST /admin/forms/{id}", "GET /admin/forms/{id}/questionnaire"} {
		routePolicy[p] = managers
	}
	routePolicy["GET /staff/patients/{id}/forms"] = disclosers
	// Landing-page forms: the readers of some form class; which form's
	// answers each reads is decided per form (TestLandingPageForm).
	routePolicy["GET /staff/forms/{id}/responses"] = disclosers
}

// policyAllows reports whether a route's audience lets a persona in.
func policyAllows(a audience, p persona) bool {
	switch a {
	case everyone:
		return true
	case signedIn:
		return p.role != "" && !p.partial
	case finishing:
		return p.role != ""
	case staffOnly:
		return p.role.Staff() && !p.partial
	case adminOnly:
		return p.role == access.RoleAdmin
	case patients:
		return p.role == access.RolePatient
	case careTeam:
		return !p.partial && (p.role == access.RoleClinician || p.role == access.RolePharmacist)
	case reviewers:
		return p.role == access.RoleCompliance || p.role == access.RoleAdmin
	case managers:
		return p.role == access.RoleStoreManager || p.role == access.RoleAdmin
	case pharmacists:
		return !p.partial && p.role == access.RolePharmacist
	case clinicians:
		return !p.partial && p.role == access.RoleClinician
	case orderStaff:
		return !p.partial && (p.role == access.RoleCustomerService || p.role == access.RolePharmacist || p.role == access.RoleFulfillment)
	case patientViewers:
		return !p.partial && (p.role == access.RoleClinician || p.role == access.RolePharmacist || p.role == access.RoleCustomerService)
	case messageStaff:
		return !p.partial && (p.role == access.RoleClinician || p.role == access.RolePharmacist || p.role == access.RoleCustomerService)
	case disclosers:
		return !p.partial && (p.role == access.RoleClinician || p.role == access.RolePharmacist || p.role == access.RoleCustomerService ||
			p.role == access.RoleFulfillment)
	case officers:
		return p.role == access.RoleCompliance
	}
	return false
}

// persona is one kind of person in the matrix.
type persona struct {
	name    string
	role    access.Role // empty: anonymous
	token   string
	partial bool // a staff member who has not set up MFA yet
}

func TestSecurityMatrix(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	ctx := context.Background()
	other := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Pharmacy", Hostnames: []string{"other.test"},
		Theme: tenant.DefaultTheme, CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
	if err := store.NewTenants(s.Stores.Catalog).Create(ctx, other); err != nil {
		t.Fatal(err)
	}
	patient := s.NewPerson(t, access.RolePatient)
	carer := s.NewPerson(t, access.RolePatient)
	if err := s.Services().Grants.GrantProxy(access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID}),
		carer.Email, []string{"orders"}); err != nil {
		t.Fatal(err)
	}
	s.Services().After.Wait() // the grant is made after the answer
	personas := []persona{{name: "anonymous"}, {name: "patient", role: access.RolePatient, token: patient.Token},
		{name: "proxy", role: access.RolePatient, token: carer.Token}}
	otherPatient := s.NewPerson(t, access.RolePatient)
	personas = append(personas, persona{name: "other patient", role: access.RolePatient, token: otherPatient.Token})
	staff := map[access.Role]testkit.Person{}
	for _, r := range access.Roles {
		if r.Staff() {
			staff[r] = s.NewPerson(t, r)
			personas = append(personas, persona{name: string(r), role: r, token: staff[r].Token})
		}
	}
	foreign := s.NewPersonIn(t, other, access.RoleAdmin)
	personas = append(personas, persona{name: "admin of another tenant", token: foreign.Token})
	// A staff member who signed in with a password but has no second factor.
	uid, err := s.Services().Accounts.CreateUser(ctx, s.Tenant.ID, access.RolePharmacist, "new-rx@example.com", "", testkit.PersonPassword)
	if err != nil {
		t.Fatal(err)
	}
	_ = uid
	partialTok, _, err := s.Services().SignIn.Login(ctx, s.Tenant, signin.Attempt{Email: "new-rx@example.com", Password: testkit.PersonPassword, ClientIP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	personas = append(personas, persona{name: "staff before MFA", role: access.RolePharmacist, token: partialTok, partial: true})

	allowed := policyAllows

	routes := s.Router().Routes()
	for _, route := range routes {
		a, ok := routePolicy[route.Pattern]
		if !ok {
			t.Errorf("%s has no access policy; add it to routeClasses", route.Pattern)
			continue
		}
		for _, p := range personas {
			req := requestFor(route, s.Tenant)
			if p.token != "" {
				req.AddCookie(&http.Cookie{Name: web.CookiePlain, Value: p.token})
			}
			_, err := s.Router().Admit(req, route)
			want := allowed(a, p)
			switch {
			case want && err != nil:
				t.Errorf("%s × %s: refused (%v), the policy says %s", route.Pattern, p.name, err, a)
			case !want && err == nil:
				t.Errorf("%s × %s: admitted, the policy says %s", route.Pattern, p.name, a)
			case !want:
				var redirect *httpx.RedirectError
				switch {
				case a == deviceTokens: // a session is no device token: 401, pair again
					if !apperr.Is(err, apperr.Unauthenticated) {
						t.Errorf("%s × %s: %v, want the 401 of a missing device token", route.Pattern, p.name, err)
					}
				case p.role == "": // not signed in here: sent to sign in
					if !errors.As(err, &redirect) || !strings.HasPrefix(redirect.URL, "/login") {
						t.Errorf("%s × %s: %v, want a redirect to sign in", route.Pattern, p.name, err)
					}
				case p.partial: // sent on to finish signing in
					if !errors.As(err, &redirect) || redirect.URL != "/account/mfa" {
						t.Errorf("%s × %s: %v, want a redirect to MFA enrolment", route.Pattern, p.name, err)
					}
				default: // signed in, wrong kind of person: a 404
					if !apperr.Is(err, apperr.Denied) {
						t.Errorf("%s × %s: %v, want the denial that answers 404", route.Pattern, p.name, err)
					}
				}
			}
		}
	}

	// Devices (issue 17): a device token (without a cookie) is admitted on
	// the device routes and nowhere else: on public routes it is nobody, on
	// every other route it is refused as if no one were signed in.
	devicePatient := s.NewPerson(t, access.RolePatient)
	_, code := registerDevice(t, s, devicePatient, "glucose_meter")
	paired := pairDevice(t, s, code)
	for _, route := range routes {
		req := requestFor(route, s.Tenant)
		req.Header.Set("Authorization", "Bearer "+paired.Token)
		gr, err := s.Router().Admit(req, route)
		switch {
		case route.Class == access.Device:
			if err != nil {
				t.Errorf("%s × device token: refused (%v)", route.Pattern, err)
			}
		case route.Class == access.Public:
			if a, ok := access.ActorFrom(gr.Context()); err != nil || ok {
				t.Errorf("%s × device token: %v, actor %+v (want admitted as nobody)", route.Pattern, err, a)
			}
		case err == nil:
			t.Errorf("%s × device token: admitted", route.Pattern)
		}
	}

	// API tokens (issue 18 point 4): a personal token with every scope
	// (without a cookie) is admitted on the api-class routes and nowhere
	// else: on public routes it is nobody, on every other route it is
	// refused as if no one were signed in. A revoked one is refused
	// everywhere it was admitted.
	tokenPatient := s.NewPerson(t, access.RolePatient)
	pat, err := s.Services().APITokens.Create(context.Background(), s.Tenant.ID, apitokens.KindPersonal, tokenPatient.ID,
		apitokens.Request{Name: "matrix", Scopes: []string{"orders:read", "lists:read", "results:read"}, Days: "1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, revoked := range []bool{false, true} {
		if revoked {
			if err := s.Services().APITokens.Revoke(context.Background(), s.Tenant.ID, apitokens.KindPersonal, tokenPatient.ID, pat.ID); err != nil {
				t.Fatal(err)
			}
		}
		for _, route := range routes {
			req := requestFor(route, s.Tenant)
			req.Header.Set("Authorization", "Bearer "+pat.Token)
			gr, err := s.Router().Admit(req, route)
			switch {
			case route.Class == access.API && !revoked:
				if err != nil {
					t.Errorf("%s × API token: refused (%v)", route.Pattern, err)
				} else if a, _ := access.ActorFrom(gr.Context()); a.ID != tokenPatient.ID || a.Role != access.RolePatient {
					t.Errorf("%s × API token: actor %+v", route.Pattern, a)
				}
			case route.Class == access.API:
				if !apperr.Is(err, apperr.Unauthenticated) {
					t.Errorf("%s × revoked API token: %v, want 401", route.Pattern, err)
				}
			case route.Class == access.Public:
				if a, ok := access.ActorFrom(gr.Context()); err != nil || ok {
					t.Errorf("%s × API token: %v, actor %+v (want admitted as nobody)", route.Pattern, err, a)
				}
			case err == nil:
				t.Errorf("%s × API token: admitted", route.Pattern)
			}
		}
	}

	// OAuth (issue 18 point 4): an app's access token with every scope is
	// admitted on the api-class routes as its patient and nowhere else,
	// like a personal token; once the patient disconnects the app it is
	// refused (401) everywhere it was admitted.
	appPatient := s.NewPerson(t, access.RolePatient)
	grantID, issued := appTokenFor(t, s, appPatient.ID)
	for _, revoked := range []bool{false, true} {
		if revoked {
			if err := s.Services().OAuth.RevokeGrant(context.Background(), s.Tenant.ID, appPatient.ID, grantID); err != nil {
				t.Fatal(err)
			}
		}
		for _, route := range routes {
			req := requestFor(route, s.Tenant)
			req.Header.Set("Authorization", "Bearer "+issued.AccessToken)
			gr, err := s.Router().Admit(req, route)
			switch {
			case route.Class == access.API && !revoked:
				if err != nil {
					t.Errorf("%s × app token: refused (%v)", route.Pattern, err)
				} else if a, _ := access.ActorFrom(gr.Context()); a.ID != appPatient.ID || a.Role != access.RolePatient {
					t.Errorf("%s × app token: actor %+v", route.Pattern, a)
				}
			case route.Class == access.API:
				if !apperr.Is(err, apperr.Unauthenticated) {
					t.Errorf("%s × revoked app token: %v, want 401", route.Pattern, err)
				}
			case route.Class == access.Public:
				if a, ok := access.ActorFrom(gr.Context()); err != nil || ok {
					t.Errorf("%s × app token: %v, actor %+v (want admitted as nobody)", route.Pattern, err, a)
				}
			case err == nil:
				t.Errorf("%s × app token: admitted", route.Pattern)
			}
		}
	}

	// Denials through the whole stack look exactly like a missing page (as
	// the same person sees it).
	var notFound string
	for _, p := range []testkit.Person{patient, staff[access.RoleFulfillment], staff[access.RoleCompliance]} {
		c := s.ClientAs(t, p)
		_, notFound := get(t, c, s.NewRequest(t, "GET", "/no/such/page", nil))
		r, body := get(t, c, s.NewRequest(t, "GET", "/admin", nil))
		if r.StatusCode != 404 || strip(body) != strip(notFound) {
			t.Errorf("%s on /admin: %d, body differs from a plain 404: %v", p.Role, r.StatusCode, strip(body) != strip(notFound))
		}
	}

	// Objects: an admin acts on staff of their own tenant only; a patient,
	// another tenant's staff or a made-up id all answer the same 404.
	admin := s.ClientAs(t, staff[access.RoleAdmin])
	_, notFound = get(t, admin, s.NewRequest(t, "GET", "/no/such/page", nil)) // the same person's plain 404
	for name, target := range map[string]string{"own staff": staff[access.RoleFulfillment].ID, "patient": patient.ID,
		"other tenant's staff": foreign.ID, "made up": id.New()} {
		r, body := get(t, admin, s.NewRequest(t, "POST", "/admin/users/"+target+"/disable", url.Values{}))
		if name == "own staff" {
			if r.StatusCode != 200 {
				t.Errorf("admin disabling %s: %d", name, r.StatusCode)
			}
			continue
		}
		if r.StatusCode != 404 || strip(body) != strip(notFound) {
			t.Errorf("admin disabling %s: %d (want the plain 404)", name, r.StatusCode)
		}
	}

	// The dashboard of someone else (/account/for/{patient}): only the
	// proxied patient's, for their proxy; their own id, another patient's,
	// another tenant's person or a made-up id is the plain 404, for every
	// patient; staff never reach the route.
	foreignPatient := s.NewPersonIn(t, other, access.RolePatient)
	for _, viewer := range []testkit.Person{carer, patient, otherPatient} {
		c := s.ClientAs(t, viewer)
		_, notFound := get(t, c, s.NewRequest(t, "GET", "/no/such/page", nil))
		for name, target := range map[string]string{"proxied patient": patient.ID, "own": viewer.ID, "other patient": otherPatient.ID,
			"other tenant's patient": foreignPatient.ID, "made up": id.New(), "not an id": "lab_results"} {
			r, body := get(t, c, s.NewRequest(t, "GET", "/account/for/"+target, nil))
			if viewer.ID == carer.ID && name == "proxied patient" {
				if r.StatusCode != 200 || !strings.Contains(body, "Acting for") {
					t.Errorf("proxy on the dashboard of the patient they act for: %d", r.StatusCode)
				}
				continue
			}
			if r.StatusCode != 404 || strip(body) != strip(notFound) {
				t.Errorf("%s on the dashboard of %s: %d (want the plain 404)", viewer.Email, name, r.StatusCode)
			}
		}
	}
}

// requestFor builds a request that matches a route, in a tenant.
func requestFor(route httpx.Route, t *tenant.Tenant) *http.Request {
	method, path, ok := strings.Cut(route.Pattern, " ")
	if !ok {
		method, path = "GET", route.Pattern
	}
	path = strings.NewReplacer("{$}", "", "{path...}", "app.css", "{id}", id.New(), "{slug}", "some-product", "{sha}", "0000",
		"{size}", "thumb", "{patient}", id.New(), "{return}", id.New(), "{key}", "lab_results", "{obs}", id.New()).Replace(path)
	if path == "/" {
		path = "/no/such/page"
	}
	r := httptest.NewRequest(method, path, nil)
	return r.WithContext(tenant.NewContext(r.Context(), t))
}

// TestAppointmentObjectsAnswerLikeAbsence: a patient's appointment, its
// move and its cancellation, as every kind of person: the owner reaches
// them; another patient, a proxy with or without the clinical scope (the
// pages under /account are the signed-in person's own), every staff role,
// and a patient or admin of another tenant get exactly the 404 of a page
// that does not exist, and nothing changes. A clinician's day shows only
// their own patients' appointments.
func TestAppointmentObjectsAnswerLikeAbsence(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	ctx := context.Background()
	other := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Clinic", Hostnames: []string{"other.test"},
		Theme: tenant.DefaultTheme, CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
	if err := store.NewTenants(s.Stores.Catalog).Create(ctx, other); err != nil {
		t.Fatal(err)
	}
	if err := s.Tenants().Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	patient := s.NewPerson(t, access.RolePatient)
	staff := map[access.Role]testkit.Person{}
	for _, r := range access.Roles {
		if r.Staff() {
			staff[r] = s.NewPerson(t, r)
		}
	}
	appts, err := demo.SeedAppointmentsFor(ctx, s.Services().Appointments, s.Clock, s.Tenant.ID, staff[access.RoleStoreManager].ID,
		staff[access.RoleClinician].ID, patient.ID)
	if err != nil {
		t.Fatal(err)
	}
	apptID := appts[0]
	people := map[string]testkit.Person{"owner": patient, "other patient": s.NewPerson(t, access.RolePatient),
		"other tenant's patient": s.NewPersonIn(t, other, access.RolePatient), "other tenant's admin": s.NewPersonIn(t, other, access.RoleAdmin)}
	// Why on this tenant's host: a session of another tenant presented here
	// is what a cross-tenant attempt looks like.
	for name, scopes := range map[string][]string{"proxy with clinical": {"clinical"}, "proxy with orders": {"orders"}} {
		carer := s.NewPerson(t, access.RolePatient)
		if err := s.Services().Grants.GrantProxy(access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID}),
			carer.Email, scopes); err != nil {
			t.Fatal(err)
		}
		people[name] = carer
	}
	for r, p := range staff {
		people[string(r)] = p
	}
	me := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
	before, err := s.Services().Appointments.Get(me, s.Tenant.ID, patient.ID, apptID)
	if err != nil {
		t.Fatal(err)
	}
	_, slots, err := s.Services().Appointments.RescheduleSlots(me, s.Tenant.ID, patient.ID, apptID)
	if err != nil || len(slots) == 0 {
		t.Fatalf("slots: %v", err)
	}
	for name, p := range people {
		c := s.ClientAs(t, p)
		requests := func(appt string) []*http.Request {
			return []*http.Request{
				s.NewRequest(t, "GET", "/account/appointments/"+appt, nil),
				s.NewRequest(t, "POST", "/account/appointments/"+appt+"/reschedule", url.Values{"slot": {slots[0].Value()}}),
				s.NewRequest(t, "POST", "/account/appointments/"+appt+"/cancel", url.Values{}),
			}
		}
		if name == "owner" {
			r, body := get(t, c, requests(apptID)[0])
			if r.StatusCode != 200 || !strings.Contains(body, "Quarterly diabetes review") {
				t.Errorf("owner GET: %d", r.StatusCode)
			}
			continue
		}
		_, notFound := get(t, c, s.NewRequest(t, "GET", "/no/such/page", nil))
		made := requests(id.New())
		for i, rq := range requests(apptID) {
			r, body := get(t, c, rq)
			if p.TenantID == other.ID {
				// Another tenant's session is no session here: sent to sign
				// in, exactly as for a made-up id.
				mr, mbody := get(t, c, made[i])
				same := strings.NewReplacer(strings.Split(made[i].URL.Path, "/")[3], apptID).Replace // the made-up id as the real one
				if r.StatusCode != mr.StatusCode || r.Header.Get("Location") != same(mr.Header.Get("Location")) ||
					(r.StatusCode != 303 && r.StatusCode != 403) || strip(body) != strip(same(mbody)) {
					t.Errorf("%s %s × %s: %d (made-up id: %d)", rq.Method, rq.URL.Path, name, r.StatusCode, mr.StatusCode)
				}
				continue
			}
			if r.StatusCode != 404 || strip(body) != strip(notFound) {
				t.Errorf("%s %s × %s: %d, or a body unlike the plain 404", rq.Method, rq.URL.Path, name, r.StatusCode)
			}
		}
	}
	after, err := s.Services().Appointments.Get(me, s.Tenant.ID, patient.ID, apptID)
	if err != nil || !after.Start.Equal(before.Start) || after.Status != before.Status {
		t.Fatalf("the appointment changed under other people's requests: %v", err)
	}

	// The owner's bad input: a clear error on the form, nothing changes.
	owner := s.ClientAs(t, patient)
	past := demoSlot(t, slots[0], s.Clock.Now().Add(-48*time.Hour))
	r, body := get(t, owner, s.NewRequest(t, "POST", "/account/appointments/"+apptID+"/reschedule", url.Values{"slot": {past}}))
	if r.StatusCode == 303 || !strings.Contains(body, "That time has passed") {
		t.Errorf("reschedule into the past: %d", r.StatusCode)
	}
	r, body = get(t, owner, s.NewRequest(t, "POST", "/account/appointments", url.Values{"slot": {slots[0].Value()}, "type": {id.New()}}))
	if r.StatusCode == 303 || !strings.Contains(body, "Choose a kind of appointment") {
		t.Errorf("booking an unknown type: %d", r.StatusCode)
	}
	if up, _, _ := s.Services().Appointments.ForPatient(me, s.Tenant.ID, patient.ID); len(up) != 2 {
		t.Errorf("%d upcoming after bad input, want 2", len(up))
	}

	// The clinician's day shows the reason; another clinician's does not.
	day := "/staff/appointments?day=" + before.Start.Format("2006-01-02")
	_, body = get(t, s.ClientAs(t, staff[access.RoleClinician]), s.NewRequest(t, "GET", day, nil))
	if !strings.Contains(body, "Quarterly diabetes review") {
		t.Error("the clinician's day lacks their appointment")
	}
	second := s.NewPerson(t, access.RoleClinician)
	_, body = get(t, s.ClientAs(t, second), s.NewRequest(t, "GET", day, nil))
	if strings.Contains(body, "Quarterly diabetes review") {
		t.Error("another clinician sees the appointment")
	}
	// Nor can they remove the first clinician's hours: the same 404.
	av, err := s.Services().Appointments.MyAvailability(access.WithActor(ctx, access.Actor{ID: staff[access.RoleClinician].ID,
		Role: access.RoleClinician, TenantID: s.Tenant.ID}), s.Tenant.ID)
	if err != nil || len(av.Hours) == 0 {
		t.Fatal(err)
	}
	c2 := s.ClientAs(t, second)
	_, notFound := get(t, c2, s.NewRequest(t, "GET", "/no/such/page", nil))
	r, body = get(t, c2, s.NewRequest(t, "POST", "/staff/appointments/availability/hours/"+av.Hours[0].ID+"/remove", url.Values{}))
	if r.StatusCode != 404 || strip(body) != strip(notFound) {
		t.Errorf("another clinician removing hours: %d", r.StatusCode)
	}
}

// demoSlot is a slot's form value moved to another start.
func demoSlot(t *testing.T, s appointments.Slot, start time.Time) string {
	t.Helper()
	return s.ClinicianID + "|" + s.Location.ID + "|" + start.UTC().Format(time.RFC3339)
}
