package access

import (
	"context"
	"strings"

	"github.com/salvehealth/salve/internal/tenant"
)

// Role is what a person (or a job) does in a tenant. The roles and what they may
// see are in DESIGN §1.
type Role string

// The roles.
const (
	RolePatient         Role = "patient"          // a customer; also acts as a proxy for people who granted it
	RoleCustomerService Role = "customer_service" // orders, shipping, returns, messages
	RolePharmacist      Role = "pharmacist"       // prescriptions and what orders need
	RoleClinician       Role = "clinician"        // own patients; others only by break-glass
	RoleFulfillment     Role = "fulfillment"      // pick, pack, ship
	RoleStoreManager    Role = "store_manager"    // catalog, prices, promotions, pages; no PHI
	RoleCompliance      Role = "compliance"       // audit review, incidents, reports
	RoleAdmin           Role = "admin"            // users, roles, settings; no PHI by default
	RoleSystem          Role = "system"           // background jobs and commands, never a person
)

// Roles lists every role a person can have.
var Roles = []Role{RolePatient, RoleCustomerService, RolePharmacist, RoleClinician, RoleFulfillment,
	RoleStoreManager, RoleCompliance, RoleAdmin}

// Valid reports whether r is a known role (system included).
func (r Role) Valid() bool {
	if r == RoleSystem {
		return true
	}
	for _, k := range Roles {
		if r == k {
			return true
		}
	}
	return false
}

// Staff reports whether the role is a staff role (every staff role needs MFA).
func (r Role) Staff() bool { return r.Valid() && r != RolePatient && r != RoleSystem }

// Actor is who is acting on a request or in a job: the authenticated user (set
// by the session guard, web.Guard, on every request it authenticates) or a
// named system job.
type Actor struct {
	ID       string // user id, or "system:<job>" for jobs and commands
	Role     Role
	TenantID string
	// SessionID is the session the actor authenticated with; empty for jobs.
	SessionID string
}

// System returns the actor of a background job or command in a tenant.
func System(job, tenantID string) Actor {
	return Actor{ID: "system:" + job, Role: RoleSystem, TenantID: tenantID}
}

// IsSystem reports whether the actor is a job rather than a person.
func (a Actor) IsSystem() bool { return a.Role == RoleSystem && strings.HasPrefix(a.ID, "system:") }

type actorKey struct{}

// WithActor returns ctx carrying the actor.
//
// It also scopes ctx to the actor's tenant (tenant.WithScope): on PostgreSQL
// the PHI store's statements on the actor's behalf see only that tenant's
// rows. An actor without a tenant leaves the scope as it is.
func WithActor(ctx context.Context, a Actor) context.Context {
	if a.TenantID != "" {
		ctx = tenant.WithScope(ctx, a.TenantID)
	}
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx. Code that touches PHI must refuse to act
// when there is none (fail closed).
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok && a.ID != "" && a.Role.Valid()
}
