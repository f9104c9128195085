package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
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
	everyone  audience = "everyone"  // public
	signedIn  audience = "signed-in" // any finished sign-in, patient or staff
	finishing audience = "finishing" // signed-in, or half-way (second factor pending)
	staffOnly audience = "staff"     // any staff role, admin included
	adminOnly audience = "admin"
	patients  audience = "patients"  // patients only (and so proxies)
	careTeam  audience = "care team" // clinicians and pharmacists
	reviewers audience = "reviewers" // compliance and admins
	managers  audience = "managers"  // store managers and admins (the catalog)
	// orderStaff are the staff whose work needs orders.
	orderStaff audience = "order staff" // customer service, pharmacists, fulfillment
	// patientViewers are the staff whose work needs a patient's page.
	patientViewers audience = "patient viewers" // clinicians, pharmacists, customer service
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
			if strings.Contains(pattern, " /staff/orders") {
				routePolicy[pattern] = orderStaff
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
		"GET /checkout", "POST /checkout", "POST /checkout/pay", "GET /account/orders", "GET /account/orders/{id}",
		"POST /account/orders/{id}/reorder", "GET /account/orders/{id}/pay", "GET /api/v1/orders", "GET /api/v1/orders/{id}",
		"GET /account/lists", "POST /account/lists", "POST /account/lists/{id}/items", "POST /account/lists/{id}/items/{variant}/remove",
		"POST /account/lists/{id}/cart", "POST /account/lists/{id}/from-cart"} {
		routePolicy[p] = patients
	}
	routePolicy["GET /staff/break-glass"], routePolicy["POST /staff/break-glass"] = careTeam, careTeam
	routePolicy["GET /staff/break-glass/{id}/orders"] = careTeam
	for _, p := range []string{"GET /staff/patients", "POST /staff/patients", "GET /staff/patients/{id}"} {
		routePolicy[p] = patientViewers
	}
	routePolicy["GET /admin/break-glass"], routePolicy["POST /admin/break-glass/{id}/review"] = reviewers, reviewers
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

	allowed := func(a audience, p persona) bool {
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
		case orderStaff:
			return !p.partial && (p.role == access.RoleCustomerService || p.role == access.RolePharmacist || p.role == access.RoleFulfillment)
		case patientViewers:
			return !p.partial && (p.role == access.RoleClinician || p.role == access.RolePharmacist || p.role == access.RoleCustomerService)
		}
		return false
	}

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
}

// requestFor builds a request that matches a route, in a tenant.
func requestFor(route httpx.Route, t *tenant.Tenant) *http.Request {
	method, path, ok := strings.Cut(route.Pattern, " ")
	if !ok {
		method, path = "GET", route.Pattern
	}
	path = strings.NewReplacer("{$}", "", "{path...}", "app.css", "{id}", id.New(), "{slug}", "some-product", "{sha}", "0000",
		"{size}", "thumb").Replace(path)
	if path == "/" {
		path = "/no/such/page"
	}
	r := httptest.NewRequest(method, path, nil)
	return r.WithContext(tenant.NewContext(r.Context(), t))
}
