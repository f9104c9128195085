package httpx

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
)

// Guard decides whether a request may reach a route. It may return a request
// carrying more context (the signed-in user, as an access.Actor). An error
// answers the request; Denied errors look like 404. With an error it may
// still return the request, so that the error page is the one that person
// sees for any missing page (a denial must not look different).
type Guard func(r *http.Request, route Route) (*http.Request, error)

// DenyAllButPublic is the guard of a process without sessions (the
// storefront role): public routes pass, every other class is denied (deny by
// default).
func DenyAllButPublic(r *http.Request, route Route) (*http.Request, error) {
	if route.Class == access.Public {
		return r, nil
	}
	return nil, apperr.DeniedError(fmt.Errorf("no identity for %s route", route.Class))
}

// TenantResolver finds the tenant of a Host header.
type TenantResolver interface {
	Resolve(host string) (*tenant.Tenant, bool)
}

// Route is one registered route.
type Route struct {
	Pattern  string       // net/http pattern: "GET /products/{slug}"
	Class    access.Class // who may reach it
	NoTenant bool         // served for any host, without a tenant (health, static files)
	MaxBody  int64        // request body limit in bytes
	// Roles, when set, are the only roles that may use the route; the router
	// checks them after the guard, against the actor the guard put in the
	// request. Anyone else gets the same 404 as any denial.
	Roles []access.Role
	// Partial lets a session that has not finished signing in (second factor
	// pending, or a staff member who must enrol one) reach the route: the MFA
	// challenge and enrolment pages, and sign-out.
	Partial bool
	// JSON makes every response of the route, errors included, JSON.
	JSON bool
	// Scope is the API token scope that admits a token to an api-class route
	// (such as "orders:read"); a route without one admits no token (see
	// api.TokenGuard). Sessions ignore it.
	Scope string
	// Extras asks the guard for the session's extras (signin.Extras): the
	// pages that use them read them with the session, and no other page
	// pays for them.
	Extras bool
}

// Option changes how a route is registered.
type Option func(*Route)

// NoTenant serves the route for any Host, without resolving a tenant.
func NoTenant() Option { return func(r *Route) { r.NoTenant = true } }

// Partial lets a half-signed-in session reach the route (see Route.Partial).
func Partial() Option { return func(r *Route) { r.Partial = true } }

// MaxBody sets the route's request body limit (uploads).
func MaxBody(n int64) Option { return func(r *Route) { r.MaxBody = n } }

// Roles limits a route to actors with one of the roles, on top of its class.
// The router checks it after the guard, with the actor the guard put in the
// request: no actor, or an actor with another role, gets the same 404 as any
// denial. Why after the guard and in the router: a route cannot forget the check
// in its handler, and the class stays the first gate.
func Roles(roles ...access.Role) Option {
	return func(r *Route) { r.Roles = append(r.Roles, roles...) }
}

// Extras has the guard read the session's extras with it (Route.Extras).
func Extras() Option { return func(r *Route) { r.Extras = true } }

// Scope names the API token scope an api-class route needs (Route.Scope).
func Scope(scope string) Option { return func(r *Route) { r.Scope = scope } }

// JSON makes the route answer in JSON, errors included (application/problem+json),
// whatever the class: for public JSON API routes.
func JSON() Option { return func(r *Route) { r.JSON = true } }

// Router registers every route with a class and runs each request through
// tenant resolution, the body limit and the guard before its handler.
type Router struct {
	mux     *http.ServeMux
	routes  []Route
	errs    []error
	guard   Guard
	resp    *Responder
	tenants TenantResolver
	maxBody int64
}

// NewRouter returns an empty router.
func NewRouter(resp *Responder, tenants TenantResolver, guard Guard, maxBody int64) *Router {
	return &Router{mux: http.NewServeMux(), resp: resp, tenants: tenants, guard: guard, maxBody: maxBody}
}

// Handle registers a route. A route without a valid class is recorded and
// reported by Err (start-up fails), and should it ever be served, every
// request to it is denied.
func (rt *Router) Handle(class access.Class, pattern string, h Handler, opts ...Option) {
	route := Route{Pattern: pattern, Class: class, MaxBody: rt.maxBody}
	for _, o := range opts {
		o(&route)
	}
	if !class.Valid() {
		rt.errs = append(rt.errs, fmt.Errorf("route %q has no valid class (%s)", pattern, class))
	}
	defer func() {
		// ServeMux panics on a malformed or conflicting pattern; report it as a
		// start-up error with the pattern named.
		if p := recover(); p != nil {
			rt.errs = append(rt.errs, fmt.Errorf("route %q: %v", pattern, p))
		}
	}()
	rt.mux.Handle(pattern, rt.wrap(route, h))
	rt.routes = append(rt.routes, route)
}

// Admit decides whether a request may reach a route: the guard for the
// route's class, then the route's roles. It is what every request goes
// through before its handler, exported so the security matrix test can ask
// it about every route and every kind of person.
func (rt *Router) Admit(r *http.Request, route Route) (*http.Request, error) {
	gr, err := rt.guard(r, route)
	if err != nil {
		return gr, err
	}
	if len(route.Roles) > 0 {
		// Why here and not in each handler: a role list on the route is
		// visible in one place (routes.go) and cannot be forgotten by a
		// handler. No actor, or another role, is denied like a missing page.
		a, ok := access.ActorFrom(gr.Context())
		if !ok || !slices.Contains(route.Roles, a.Role) {
			return gr, apperr.DeniedError(fmt.Errorf("role not allowed on %s", route.Pattern))
		}
	}
	return gr, nil
}

// Routes returns every registered route, for the tests that walk them.
func (rt *Router) Routes() []Route { return slices.Clone(rt.routes) }

// Err reports every registration problem: unclassified routes, bad patterns.
func (rt *Router) Err() error { return errors.Join(rt.errs...) }

// ServeHTTP dispatches to the matching route.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) { rt.mux.ServeHTTP(w, r) }

func (rt *Router) wrap(route Route, h Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := InfoFrom(r.Context())
		info.Pattern, info.Class, info.JSON = route.Pattern, route.Class, route.JSON
		if !route.Class.Valid() {
			rt.resp.Error(w, r, apperr.DeniedError(errors.New("unclassified route")))
			return
		}
		if r.ContentLength > route.MaxBody {
			rt.resp.Error(w, r, &http.MaxBytesError{Limit: route.MaxBody})
			return
		}
		if r.Body != http.NoBody {
			// (A request without a body, as most reads are, has nothing to
			// limit: one allocation fewer.)
			r.Body = http.MaxBytesReader(w, r.Body, route.MaxBody)
		}
		if !route.NoTenant {
			t, ok := rt.tenants.Resolve(r.Host)
			if !ok {
				rt.resp.Error(w, r, apperr.NotFoundError())
				return
			}
			r = r.WithContext(tenant.NewContext(r.Context(), t))
		}
		gr, err := rt.Admit(r, route)
		if err != nil {
			if gr != nil {
				r = gr
			}
			rt.resp.Error(w, r, err)
			return
		}
		if err := h(w, gr); err != nil {
			rt.resp.Error(w, gr, err)
		}
	})
}
