package audit_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestPostgresApplicationRoleMayOnlyInsertAndSelect sets up the application
// role as docs/vault-and-audit.md says (USAGE on the schema, SELECT and INSERT
// on its tables) and checks that, connected as that role, the log appends and
// verifies while UPDATE, DELETE and TRUNCATE are refused.
func TestPostgresApplicationRoleMayOnlyInsertAndSelect(t *testing.T) {
	if os.Getenv(testkit.PostgresEnv) == "" {
		t.Skip(testkit.PostgresEnv + " is not set")
	}
	ctx := context.Background()
	place := testkit.NewPlace(t, store.Postgres)
	owner := place.Open(t, store.Audit) // migrated by the owner

	var b [6]byte
	_, _ = rand.Read(b[:])
	role := "salve_app_" + hex.EncodeToString(b[:])
	admin, err := pgx.Connect(ctx, place.PGURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for _, s := range []string{
		"CREATE ROLE " + role + " LOGIN",
		"GRANT USAGE ON SCHEMA salve_audit TO " + role,
		"GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA salve_audit TO " + role,
	} {
		if _, err := admin.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), place.PGURL)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP OWNED BY "+role)
		_, _ = c.Exec(context.Background(), "DROP ROLE "+role)
	})
	u, err := url.Parse(place.PGURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	db, err := store.Open(ctx, store.Audit, u.String())
	if err != nil {
		t.Skipf("cannot log in as a fresh role here (pg_hba): %v", err)
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatal(err)
	}
	keys := audit.NewKeys()
	sink := audit.NewFileSink(t.TempDir() + "/cp.jsonl")
	l, err := audit.Open(ctx, store.NewAuditEvents(db), audit.Options{Keys: keys, Checkpoints: sink, CheckpointEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append(ctx, audit.Entry{Action: "x", Subjects: []string{"p"}}); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"UPDATE audit_events SET actor_id = 'x'", "DELETE FROM audit_events", "TRUNCATE audit_events",
		"DELETE FROM audit_event_subjects"} {
		_, err := db.Writer().ExecContext(ctx, s)
		if err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("%s as the application role: %v, want permission denied", s, err)
		}
	}
	if rep, err := audit.Verify(ctx, store.NewAuditEvents(owner), sink, keys.Public()); err != nil || !rep.OK || rep.Events != 1 {
		t.Fatalf("verify: %+v %v", rep, err)
	}
}
