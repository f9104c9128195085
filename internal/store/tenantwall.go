package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync/atomic"

	"github.com/salvehealth/salve/internal/tenant"
)

// The tenant wall: PostgreSQL row-level security on the PHI store, a second
// wall behind the application's own WHERE tenant_id (issue 20 point 6).
//
// Every table of the PHI schema with a tenant_id column has row-level
// security enabled and forced, with the policy tenant_wall: a row is visible
// and writable only when its tenant_id equals the session setting
// salve.tenant, or when that setting is '*' (work that spans tenants on
// purpose, tenant.AcrossTenants). The PHI store's connections run as
// salve_phi_app, a role without BYPASSRLS that owns nothing, so it can
// neither disable the policies nor see past them. Migrations and this
// installation run as the connecting role (the owner).
//
// The setting is session-level (set_config(..., false)), set by the
// connection wrapper (count.go) before each statement or transaction whose
// context carries another scope than the connection has: database/sql runs a
// statement outside a transaction without any BEGIN, so there is no
// transaction for SET LOCAL to live in. The wall is the same: the setting is
// rewritten whenever the scope differs, so a connection scoped to one tenant
// and then borrowed by another tenant's request sees only the second tenant.
// A context without a scope sets noScope, which matches no tenant_id: a
// forgotten scope shows nothing (fail closed).
//
// SQLite has no row-level security: there the application's scoping by
// tenant_id is the only wall.

// appRole is the role the PHI store's statements run as on PostgreSQL.
const appRole = "salve_phi_app"

// noScope is salve.tenant for a context without a tenant scope. Tenant IDs
// are generated and never "-"; the installation's own records have tenant_id
// ” and need an explicit tenant.WithScope(ctx, "").
const noScope = "-"

// policyExpr is the tenant_wall policy's expression.
const policyExpr = `tenant_id = current_setting('salve.tenant', true) OR current_setting('salve.tenant', true) = '*'`

// installationReadable lists the tables whose installation records
// (tenant_id ”) every tenant may read, though not write: setting_changes,
// where the installation's setting versions sit beside each tenant's
// changes (Changes.List shows both). They hold no one's PHI.
var installationReadable = map[string]bool{"setting_changes": true}

// wall is a PHI store's tenant wall on PostgreSQL; nil elsewhere.
type wall struct {
	// on is set once the wall is installed (or found installed): from then on
	// statements run as appRole.
	on atomic.Bool
}

type ownerKey struct{}

// asOwner marks ctx for statements that must run as the connecting role
// (migrations, installing the wall, backups and restores): they see every
// tenant.
func asOwner(ctx context.Context) context.Context {
	return context.WithValue(ctx, ownerKey{}, true)
}

// AsOwner returns ctx whose PHI statements run as the connecting role,
// above the tenant wall: for backups and restores, which copy every table
// whole. Anything else uses tenant.WithScope or tenant.AcrossTenants.
func AsOwner(ctx context.Context) context.Context { return asOwner(ctx) }

// Walled reports whether the PHI store's statements run behind the tenant
// wall (PostgreSQL, after Migrate or CheckSchema).
func (db *DB) Walled() bool { return db.wall != nil && db.wall.on.Load() }

// Connection roles as the wrapper tracks them.
const (
	roleUnknown int8 = iota
	roleOwner
	roleApp
)

// connWall is one connection's wall state.
type connWall struct {
	w     *wall
	role  int8
	scope string
	// inTx is set between BeginTx and the end of the transaction; dirty
	// records that the setting changed inside it, so a rollback (which undoes
	// set_config) leaves the state unknown.
	inTx, dirty bool
}

// ensure sets the connection's role and salve.tenant for ctx when they
// differ from what the connection has. It runs on the driver's connection
// directly: the set is not counted as a statement of the store.
func (c *connWall) ensure(ctx context.Context, conn driver.Conn) error {
	if c == nil {
		return nil
	}
	role, scope := roleOwner, tenant.AllTenants
	if ctx.Value(ownerKey{}) == nil && c.w.on.Load() {
		role = roleApp
		s, ok := tenant.ScopeOf(ctx)
		if !ok {
			s = noScope
		}
		scope = s
	}
	if c.role == role && c.scope == scope {
		return nil
	}
	name := "none"
	if role == roleApp {
		name = appRole
	}
	e, ok := conn.(driver.ExecerContext)
	if !ok {
		return fmt.Errorf("tenant wall: the driver cannot run statements")
	}
	c.role = roleUnknown
	if _, err := e.ExecContext(ctx, `SELECT set_config('role', $1, false), set_config('salve.tenant', $2, false)`,
		[]driver.NamedValue{{Ordinal: 1, Value: name}, {Ordinal: 2, Value: scope}}); err != nil {
		return fmt.Errorf("tenant wall: set scope: %w", err)
	}
	c.role, c.scope = role, scope
	if c.inTx {
		c.dirty = true
	}
	return nil
}

// wallTx ends a transaction and forgets the connection's setting when a
// rollback undid a change made inside it.
type wallTx struct {
	driver.Tx
	c *connWall
}

func (t wallTx) Commit() error {
	t.c.inTx, t.c.dirty = false, false
	return t.Tx.Commit()
}

func (t wallTx) Rollback() error {
	if t.c.dirty {
		t.c.role, t.c.scope = roleUnknown, ""
	}
	t.c.inTx, t.c.dirty = false, false
	return t.Tx.Rollback()
}

// installTenantWall creates appRole if missing, grants it the PHI schema's
// tables, and puts the tenant_wall policy on every table with a tenant_id
// column. Idempotent; safe when several databases of one cluster install at
// once (the role is cluster-wide: a concurrent creation is caught).
func (db *DB) installTenantWall(ctx context.Context) error {
	ctx = asOwner(ctx)
	schema := schemaOf(db.kind)
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, "salve-migrate-"+string(db.kind)); err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, appRole).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			if _, err := tx.ExecContext(ctx, `DO $$ BEGIN
				CREATE ROLE `+appRole+` NOLOGIN NOSUPERUSER NOBYPASSRLS;
			EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
			END $$`); err != nil {
				return fmt.Errorf("create role %s: %w", appRole, err)
			}
		}
		// A connecting role that is not a superuser needs membership to SET
		// ROLE; a superuser may take any role.
		var super, member bool
		if err := tx.QueryRowContext(ctx, `SELECT rolsuper, pg_has_role(current_user, $1, 'MEMBER') FROM pg_roles WHERE rolname = current_user`, appRole).Scan(&super, &member); err != nil {
			return err
		}
		if !super && !member {
			if _, err := tx.ExecContext(ctx, `GRANT `+appRole+` TO CURRENT_USER`); err != nil {
				return fmt.Errorf("grant %s: %w", appRole, err)
			}
		}
		for _, s := range []string{
			`GRANT USAGE ON SCHEMA ` + schema + ` TO ` + appRole,
			`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ` + schema + ` TO ` + appRole,
			`REVOKE INSERT, UPDATE, DELETE ON schema_migrations, store_identity FROM ` + appRole,
			`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ` + schema + ` TO ` + appRole,
		} {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		tables, err := wallTables(ctx, tx, schema)
		if err != nil {
			return err
		}
		for _, t := range tables {
			if !t.enabled {
				if _, err := tx.ExecContext(ctx, `ALTER TABLE `+t.name+` ENABLE ROW LEVEL SECURITY`); err != nil {
					return err
				}
			}
			if !t.forced {
				if _, err := tx.ExecContext(ctx, `ALTER TABLE `+t.name+` FORCE ROW LEVEL SECURITY`); err != nil {
					return err
				}
			}
			if !t.policy {
				using := policyExpr
				if installationReadable[t.name] {
					using += ` OR tenant_id = ''`
				}
				if _, err := tx.ExecContext(ctx, `CREATE POLICY tenant_wall ON `+t.name+` USING (`+using+`) WITH CHECK (`+policyExpr+`)`); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s store: install the tenant wall: %w", db.kind, err)
	}
	db.wall.on.Store(true)
	return nil
}

// wallTable is one table with a tenant_id column and its wall's state.
type wallTable struct {
	name                    string
	enabled, forced, policy bool
}

func wallTables(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, schema string) ([]wallTable, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
			EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = n.nspname AND p.tablename = c.relname AND p.policyname = 'tenant_wall')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
		  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
		ORDER BY c.relname`, schema)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	var out []wallTable
	for rows.Next() {
		var t wallTable
		if err := rows.Scan(&t.name, &t.enabled, &t.forced, &t.policy); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// checkTenantWall turns the wall on when it is installed, and otherwise
// says to migrate: a PHI store on PostgreSQL never runs without it.
func (db *DB) checkTenantWall(ctx context.Context) error {
	ctx = asOwner(ctx)
	var exists bool
	if err := db.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, appRole).Scan(&exists); err != nil {
		return fmt.Errorf("%s store: check the tenant wall: %w", db.kind, err)
	}
	tables, err := wallTables(ctx, db.r, schemaOf(db.kind))
	if err != nil {
		return fmt.Errorf("%s store: check the tenant wall: %w", db.kind, err)
	}
	for _, t := range tables {
		if !t.enabled || !t.forced || !t.policy {
			exists = false
		}
	}
	if !exists {
		return &SchemaError{Kind: db.kind, Detail: "the tenant wall (row-level security) is not installed: run `salve migrate`"}
	}
	db.wall.on.Store(true)
	return nil
}
