package store_test

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"slices"
	"testing"

	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// The tenant wall is PostgreSQL's row-level security; SQLite has none (its
// scoping is the application's WHERE tenant_id), so these tests need
// SALVE_TEST_POSTGRES and skip without it.

// walledPHI opens a migrated PHI store on PostgreSQL with one row of
// widget_opens for each of two tenants, written through the walled pool
// under each tenant's own scope.
func walledPHI(t *testing.T) (db *store.DB, a, b string) {
	t.Helper()
	db = testkit.OpenStore(t, store.Postgres, store.PHI)
	if !db.Walled() {
		t.Fatal("a migrated PHI store on PostgreSQL is not walled")
	}
	a, b = id.New(), id.New()
	for _, ten := range []string{a, b} {
		ctx := tenant.WithScope(context.Background(), ten)
		if _, err := db.Writer().ExecContext(ctx, `INSERT INTO widget_opens (tenant_id, day, widget, opens) VALUES ($1, '2026-12-07', 'w', 1)`, ten); err != nil {
			t.Fatalf("insert under the tenant's own scope: %v", err)
		}
	}
	return db, a, b
}

// unscoped runs the query that forgot its WHERE tenant_id and returns the
// tenants it saw, sorted.
func unscoped(t *testing.T, ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) []string {
	t.Helper()
	rows, err := q.QueryContext(ctx, `SELECT tenant_id FROM widget_opens ORDER BY tenant_id`)
	if err != nil {
		t.Fatalf("unscoped query: %v", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func sorted(ss ...string) []string { slices.Sort(ss); return ss }

func TestTenantWallHidesOtherTenants(t *testing.T) {
	db, a, b := walledPHI(t)
	bg := context.Background()
	ctxA := tenant.WithScope(bg, a)
	if got := unscoped(t, ctxA, db.Reader()); !slices.Equal(got, []string{a}) {
		t.Errorf("scoped to A, an unscoped query saw %v, want only A %s", got, a)
	}
	if got := unscoped(t, bg, db.Reader()); len(got) != 0 {
		t.Errorf("without a scope an unscoped query saw %v, want nothing (fail closed)", got)
	}
	if got := unscoped(t, tenant.WithScope(bg, ""), db.Reader()); len(got) != 0 {
		t.Errorf("scoped to the installation an unscoped query saw %v, want nothing", got)
	}
	if got := unscoped(t, tenant.AcrossTenants(bg), db.Reader()); !slices.Equal(got, sorted(a, b)) {
		t.Errorf("across tenants saw %v, want both", got)
	}
	// Writes are walled too: scoped to A, B's row cannot be changed or made.
	res, err := db.Writer().ExecContext(ctxA, `UPDATE widget_opens SET opens = 99`)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Errorf("scoped to A, an unscoped UPDATE touched %d rows, want 1", n)
	}
	if _, err := db.Writer().ExecContext(ctxA, `INSERT INTO widget_opens (tenant_id, day, widget, opens) VALUES ($1, '2026-12-08', 'w', 1)`, b); err == nil {
		t.Error("scoped to A, a row of B was inserted")
	}
	var opensB int
	if err := db.Reader().QueryRowContext(tenant.WithScope(bg, b), `SELECT opens FROM widget_opens`).Scan(&opensB); err != nil || opensB != 1 {
		t.Errorf("B's row after A's unscoped UPDATE: %d %v, want 1", opensB, err)
	}

	// The test can fail: the same query, same pool and scope, with row-level
	// security switched off on the table, sees B's rows. (The owner switches
	// it off; the application's role cannot, TestAppRoleCannotLiftTheWall.)
	owner := store.AsOwner(bg)
	if _, err := db.Writer().ExecContext(owner, `ALTER TABLE widget_opens DISABLE ROW LEVEL SECURITY`); err != nil {
		t.Fatal(err)
	}
	if got := unscoped(t, ctxA, db.Reader()); !slices.Equal(got, sorted(a, b)) {
		t.Errorf("with RLS off the unscoped query saw %v, want both tenants (the wall is what hid B)", got)
	}
	if _, err := db.Writer().ExecContext(owner, `ALTER TABLE widget_opens ENABLE ROW LEVEL SECURITY`); err != nil {
		t.Fatal(err)
	}
	if got := unscoped(t, ctxA, db.Reader()); !slices.Equal(got, []string{a}) {
		t.Errorf("with RLS back on, saw %v", got)
	}
	// And the owner's path (backups, migrations) sees every row.
	if got := unscoped(t, owner, db.Reader()); !slices.Equal(got, sorted(a, b)) {
		t.Errorf("as owner saw %v, want both", got)
	}
}

func TestTenantWallSurvivesRollbackAndConnectionReuse(t *testing.T) {
	db, a, b := walledPHI(t)
	bg := context.Background()
	ctxA, ctxB := tenant.WithScope(bg, a), tenant.WithScope(bg, b)

	// One connection: scoped to A, then to B inside a transaction that is
	// rolled back (which undoes the setting made inside it); the next
	// statement for B must still see only B.
	conn, err := db.Writer().Conn(bg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if got := unscoped(t, ctxA, conn); !slices.Equal(got, []string{a}) {
		t.Fatalf("conn scoped to A saw %v", got)
	}
	tx, err := conn.BeginTx(ctxA, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := unscoped(t, ctxB, tx); !slices.Equal(got, []string{b}) {
		t.Errorf("in a transaction begun for A, a statement for B saw %v", got)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if got := unscoped(t, ctxB, conn); !slices.Equal(got, []string{b}) {
		t.Errorf("after the rollback, B saw %v, want only B", got)
	}
	if got := unscoped(t, bg, conn); len(got) != 0 {
		t.Errorf("after B, an unscoped context saw %v", got)
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}

	// The pool: one connection, used for A's request and then borrowed by B's.
	db.Reader().SetMaxOpenConns(1)
	for range 3 {
		if got := unscoped(t, ctxA, db.Reader()); !slices.Equal(got, []string{a}) {
			t.Errorf("A saw %v", got)
		}
		if got := unscoped(t, ctxB, db.Reader()); !slices.Equal(got, []string{b}) {
			t.Errorf("B, on the connection A used, saw %v", got)
		}
	}
	// A transaction for B on that same connection, committed, then A.
	if err := db.Tx(ctxB, func(tx *sql.Tx) error {
		if got := unscoped(t, ctxB, tx); !slices.Equal(got, []string{b}) {
			t.Errorf("B's transaction saw %v", got)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := unscoped(t, ctxA, db.Reader()); !slices.Equal(got, []string{a}) {
		t.Errorf("A after B's transaction saw %v", got)
	}
}

func TestAppRoleCannotLiftTheWall(t *testing.T) {
	db, a, _ := walledPHI(t)
	ctxA := tenant.WithScope(context.Background(), a)
	conn, err := db.Writer().Conn(ctxA)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var user string
	if err := conn.QueryRowContext(ctxA, `SELECT current_user`).Scan(&user); err != nil || user != "salve_phi_app" {
		t.Fatalf("statements run as %q (%v), want salve_phi_app", user, err)
	}
	var super, bypass, login bool
	var owns int
	if err := conn.QueryRowContext(ctxA, `SELECT rolsuper, rolbypassrls, rolcanlogin,
		(SELECT count(*) FROM pg_class WHERE relowner = r.oid) FROM pg_roles r WHERE rolname = current_user`).Scan(&super, &bypass, &login, &owns); err != nil {
		t.Fatal(err)
	}
	if super || bypass || login || owns != 0 {
		t.Errorf("salve_phi_app: superuser %v, bypassrls %v, login %v, owns %d relations; want none of it", super, bypass, login, owns)
	}
	for _, stmt := range []string{
		`ALTER TABLE widget_opens DISABLE ROW LEVEL SECURITY`,
		`ALTER TABLE widget_opens NO FORCE ROW LEVEL SECURITY`,
		`DROP POLICY tenant_wall ON widget_opens`,
		`ALTER POLICY tenant_wall ON widget_opens USING (true)`,
		`CREATE POLICY open_door ON widget_opens USING (true)`,
		`ALTER TABLE widget_opens OWNER TO salve_phi_app`,
	} {
		if _, err := conn.ExecContext(ctxA, stmt); err == nil {
			t.Errorf("as salve_phi_app, %q succeeded", stmt)
		}
	}
	// row_security = off does not lift the wall for a role without
	// BYPASSRLS: the query fails instead of seeing past it. SET LOCAL, so
	// the connection is clean after the rollback.
	tx, err := conn.BeginTx(ctxA, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctxA, `SET LOCAL row_security = off`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRowContext(ctxA, `SELECT count(*) FROM widget_opens`).Scan(&n); err == nil {
		t.Errorf("with row_security off, salve_phi_app read a walled table (%d rows)", n)
	}
	_ = tx.Rollback()

	// SET ROLE is checked against the role that logged in: connected as a
	// login role that is only a member of salve_phi_app (the deployment
	// docs/security.md recommends), taking another role is refused.
	pgURL := phiURL(t, db)
	loginRole := "salve_phi_test_login"
	if _, err := db.Writer().ExecContext(store.AsOwner(context.Background()), `DO $$ BEGIN
		CREATE ROLE `+loginRole+` LOGIN;
	EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
	END $$`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Writer().ExecContext(store.AsOwner(context.Background()), `GRANT salve_phi_app TO `+loginRole); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(pgURL)
	u.User = url.User(loginRole)
	app, err := store.Open(context.Background(), store.PHI, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if err := app.CheckSchema(context.Background()); err != nil {
		t.Fatalf("check schema as the login role: %v", err)
	}
	if got := unscoped(t, ctxA, app.Reader()); !slices.Equal(got, []string{a}) {
		t.Errorf("as the login role scoped to A saw %v", got)
	}
	c2, err := app.Writer().Conn(ctxA)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if _, err := c2.ExecContext(ctxA, `SET ROLE postgres`); err == nil {
		t.Error("a login role granted only salve_phi_app took the role postgres")
	}
}

// phiURL returns the PostgreSQL URL the test's PHI store was opened with.
func phiURL(t *testing.T, db *store.DB) string {
	t.Helper()
	var dbname string
	if err := db.Reader().QueryRowContext(store.AsOwner(context.Background()), `SELECT current_database()`).Scan(&dbname); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(os.Getenv(testkit.PostgresEnv))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + dbname
	return u.String()
}

func TestTenantWallCoversEveryTable(t *testing.T) {
	db := testkit.OpenStore(t, store.Postgres, store.PHI)
	ctx := store.AsOwner(context.Background())
	rows, err := db.Reader().QueryContext(ctx, `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
			EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped),
			COALESCE((SELECT p.qual || ' / ' || p.with_check FROM pg_policies p WHERE p.schemaname = n.nspname AND p.tablename = c.relname AND p.policyname = 'tenant_wall'), ''),
			has_table_privilege('salve_phi_app', c.oid, 'SELECT')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'salve_phi' AND c.relkind IN ('r', 'p') ORDER BY c.relname`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var walled, open []string
	for rows.Next() {
		var name, policy string
		var enabled, forced, hasTenant, granted bool
		if err := rows.Scan(&name, &enabled, &forced, &hasTenant, &policy, &granted); err != nil {
			t.Fatal(err)
		}
		if !granted {
			t.Errorf("%s: salve_phi_app cannot read it", name)
		}
		if !hasTenant {
			open = append(open, name)
			continue
		}
		walled = append(walled, name)
		if !enabled || !forced {
			t.Errorf("%s: row-level security enabled %v, forced %v; want both", name, enabled, forced)
		}
		if policy == "" {
			t.Errorf("%s: no tenant_wall policy", name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// Not vacuous: the PHI store has dozens of tenant tables.
	if len(walled) < 40 {
		t.Errorf("only %d walled tables: %v", len(walled), walled)
	}
	t.Logf("%d tables walled; without tenant_id (not walled): %v", len(walled), open)
}
