package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/vault"
)

// seedVault writes some PHI through the vault (and so some audit events) in
// the data directory, then closes everything (final checkpoint).
func seedVault(t *testing.T, dir string, subjects int) {
	t.Helper()
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DataDir = dir
	stores, err := server.OpenStores(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := stores.OpenVault(ctx, cfg, clock.System{}, nil); err != nil {
		t.Fatal(err)
	}
	actx := access.WithActor(ctx, access.Actor{ID: "u1", Role: access.RoleClinician, TenantID: "t1"})
	for i := range subjects {
		s := "subject-" + string(rune('a'+i))
		h, err := stores.Vault.Access(actx, vault.Request{TenantID: "t1", Subjects: []string{s}, Action: access.Write, Purpose: access.PurposeTreatment, Resource: "user"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.SealString(s, "users", "name", s, "Name "+s); err != nil {
			t.Fatal(err)
		}
	}
	if err := stores.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestAuditVerifyExportAndKeys(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if r := runCLI(t, nil, "migrate", "--data", dir); r.code != 0 {
		t.Fatalf("migrate: %d %s", r.code, r.stderr)
	}
	seedVault(t, dir, 5)

	r := runCLI(t, nil, "audit", "verify", "--data", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "audit log intact: 5 events") {
		t.Fatalf("verify: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, nil, "audit", "export", "--data", dir, "--from", "2000-01-01")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 5 {
		t.Fatalf("export: %d %q", r.code, r.stderr)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &ev); err != nil || ev["seq"] != float64(1) || ev["action"] != "user.write" || ev["actor_id"] != "u1" {
		t.Fatalf("export line %s: %v", lines[0], err)
	}
	if r := runCLI(t, nil, "audit", "export", "--data", dir, "--to", "2000-01-01"); r.code != 0 || r.stdout != "" {
		t.Fatalf("export before anything: %d %q", r.code, r.stdout)
	}
	if r := runCLI(t, nil, "audit", "export", "--data", dir, "--from", "yesterday"); r.code != 2 {
		t.Fatalf("bad --from: %d", r.code)
	}

	r = runCLI(t, nil, "keys", "status", "--data", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "kek-1") || !strings.Contains(r.stdout, "primary") || !strings.Contains(r.stdout, "5 subjects with a data key") {
		t.Fatalf("keys status: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, nil, "keys", "retire", "--data", dir, "--version", "kek-1"); r.code != 1 {
		t.Fatalf("retiring the primary: %d %q", r.code, r.stderr)
	}
	r = runCLI(t, nil, "keys", "rotate", "--data", dir, "--batch", "2")
	if r.code != 0 || !strings.Contains(r.stdout, "added KEK version kek-2") || !strings.Contains(r.stdout, "rotation complete: 5 data keys") {
		t.Fatalf("keys rotate: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, nil, "keys", "retire", "--data", dir, "--version", "kek-1"); r.code != 0 {
		t.Fatalf("keys retire: %d %q", r.code, r.stderr)
	}
	r = runCLI(t, nil, "keys", "status", "--data", dir)
	if !strings.Contains(r.stdout, "retired") {
		t.Fatalf("status after retire: %q", r.stdout)
	}
	// The key commands (three, one refused) were audited, and the log is still intact.
	r = runCLI(t, nil, "audit", "verify", "--data", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "audit log intact: 8 events") {
		t.Fatalf("verify after keys: %d %q %q", r.code, r.stdout, r.stderr)
	}

	// Tampering: an edited event, then a cut tail, each exit 1 naming the seq.
	db, err := store.Open(context.Background(), store.Audit, filepath.Join(dir, config.AuditFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range []string{"DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete",
		"UPDATE audit_events SET actor_id = 'someone-else' WHERE seq = 3"} {
		if _, err := db.Writer().ExecContext(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	r = runCLI(t, nil, "audit", "verify", "--data", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "first bad event is 3") {
		t.Fatalf("verify of an edited log: %d %q", r.code, r.stderr)
	}
	if _, err := db.Writer().ExecContext(context.Background(), "UPDATE audit_events SET actor_id = 'u1' WHERE seq = 3"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Writer().ExecContext(context.Background(), "DELETE FROM audit_events WHERE seq > 5"); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, nil, "audit", "verify", "--data", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "first bad event is 6") {
		t.Fatalf("verify of a cut log: %d %q", r.code, r.stderr)
	}
}
