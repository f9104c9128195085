package tenant

import "context"

// AllTenants is the scope of work that spans every tenant on purpose: jobs
// that walk all tenants, the vault's key loading, demo seeding, operator
// commands, backups and restores, migrations' data steps. It is never a
// tenant's ID (IDs are generated and never "*").
const AllTenants = "*"

type scopeKey struct{}

// WithScope returns ctx scoped to one tenant: on PostgreSQL the PHI store's
// row-level security shows a statement run with this context only that
// tenant's rows (store/tenantwall.go). The empty ID scopes to the
// installation's own records (an empty tenant_id), not to every tenant.
func WithScope(ctx context.Context, tenantID string) context.Context {
	if s, ok := ctx.Value(scopeKey{}).(string); ok && s == tenantID {
		return ctx
	}
	return context.WithValue(ctx, scopeKey{}, tenantID)
}

// AcrossTenants returns ctx scoped to every tenant. Use it only where the
// work truly spans tenants, and say why where it is called.
func AcrossTenants(ctx context.Context) context.Context {
	return WithScope(ctx, AllTenants)
}

// ScopeOf returns the tenant scope of ctx: a tenant's ID, AllTenants, and
// ok false when ctx carries none (then the PHI store shows nothing on
// PostgreSQL: fail closed).
func ScopeOf(ctx context.Context) (scope string, ok bool) {
	s, ok := ctx.Value(scopeKey{}).(string)
	return s, ok
}
