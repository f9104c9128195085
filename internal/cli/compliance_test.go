package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/awalterschulze/gographviz"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/retention"
)

// TestComplianceCommands: the report exits 1 naming the failed required
// check (no backups) and 0 once backups exist, as text and JSON; the
// diagram is DOT that parses with a node per store; the SBOM parses and
// lists known modules; salve sso set is recorded in salve changes list
// with its secret masked; a pending change is approved at the console only
// with --confirm, and is then in effect.
func TestComplianceCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if r := runCLI(t, nil, "migrate", "--data", dir); r.code != 0 {
		t.Fatalf("migrate: %d %s", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "tenant", "create", "--data", dir, "--slug", "acme", "--name", "Acme Health"); r.code != 0 {
		t.Fatal(r.stderr)
	}

	r := runCLI(t, nil, "compliance", "report", "--data", dir, "--json")
	var rep struct {
		Passed bool
		Checks []struct{ ID, Status string }
		Map    []struct{ Ref string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("report JSON: %v\n%s", err, r.stdout)
	}
	if r.code != 1 || rep.Passed || !strings.Contains(r.stderr, "backup-age") || len(rep.Map) < 14 {
		t.Fatalf("report without backups: %d passed=%v %q", r.code, rep.Passed, r.stderr)
	}

	key, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	target := "dir:" + filepath.Join(t.TempDir(), "backups")
	if r := runCLI(t, nil, "backup", "create", "--data", dir, "--to", target, "--recipient", key.Recipient().String()); r.code != 0 {
		t.Fatalf("backup: %d %s", r.code, r.stderr)
	}
	r = runCLI(t, nil, "compliance", "report", "--data", dir, "--backup-to", target, "--backup-recipients", key.Recipient().String())
	// The reviews and the incident register are read from the stores: a
	// fresh installation has its first reviews due and no incidents.
	if r.code != 0 || !strings.Contains(r.stdout, "164.312(e)") || !strings.Contains(r.stdout, "No open incidents") ||
		!strings.Contains(r.stdout, "Overdue: Backup restore drill") {
		t.Fatalf("report with a backup: %d %s %s", r.code, r.stdout, r.stderr)
	}

	r = runCLI(t, nil, "compliance", "diagram", "--data", dir)
	g := gographviz.NewGraph()
	if ast, err := gographviz.ParseString(r.stdout); r.code != 0 || err != nil || gographviz.Analyse(ast, g) != nil {
		t.Fatalf("diagram: %d %v %s", r.code, err, r.stderr)
	}
	for _, n := range []string{"store_catalog", "store_phi", "store_audit"} {
		if g.Nodes.Lookup[n] == nil || !strings.Contains(g.Nodes.Lookup[n].Attrs["label"], "sqlite") {
			t.Errorf("diagram node %s: %v", n, g.Nodes.Lookup[n])
		}
	}

	r = runCLI(t, nil, "compliance", "sbom")
	var bom cdx.BOM
	// A test binary's build information lists no dependencies (a built
	// salve does; internal/compliance.TestSBOMListsModules checks those):
	// here the document parses and names the main module.
	if err := cdx.NewBOMDecoder(strings.NewReader(r.stdout), cdx.BOMFileFormatJSON).Decode(&bom); r.code != 0 || err != nil ||
		bom.Metadata == nil || bom.Metadata.Component == nil || bom.Metadata.Component.Name != "github.com/salvehealth/salve" {
		t.Fatalf("sbom: %d %v %s", r.code, err, r.stderr)
	}

	// salve sso set is recorded, its secret masked.
	secret := filepath.Join(t.TempDir(), "secret")
	_ = os.WriteFile(secret, []byte("s3cret-value\n"), 0o600)
	if r := runCLI(t, nil, "sso", "set", "--data", dir, "--tenant", "acme", "--issuer", "https://idp.example.com", "--client-id", "salve",
		"--client-secret-file", secret, "--reason", "staff SSO go-live"); r.code != 0 {
		t.Fatalf("sso set: %d %s", r.code, r.stderr)
	}
	r = runCLI(t, nil, "changes", "list", "--data", dir, "--tenant", "acme")
	if r.code != 0 || !strings.Contains(r.stdout, "staff SSO go-live") || !strings.Contains(r.stdout, changes.Mask) ||
		strings.Contains(r.stdout, "s3cret-value") || !strings.Contains(r.stdout, changes.Operator) {
		t.Fatalf("changes list: %d %s %s", r.code, r.stdout, r.stderr)
	}

	// A pending change (as an admin's request would leave it).
	cfg := config.Defaults()
	cfg.DataDir = dir
	svc, ten, done, err := servicesFor(context.Background(), &Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Getenv: func(string) string { return "" },
		ReadFile: os.ReadFile, Clock: clock.System{}}, cfg, "acme")
	if err != nil {
		t.Fatal(err)
	}
	actx := access.WithActor(context.Background(), access.Actor{ID: id.New(), Role: access.RoleAdmin, TenantID: ten.ID})
	ch, err := svc.Changes.Request(actx, ten.ID, changes.KindRetentionRule, retention.Orders, map[string]string{"keep_days": "500"}, "new policy")
	done()
	if err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, nil, "changes", "approve", "--data", dir, "--tenant", "acme", "--id", ch.ID); r.code != 2 || !strings.Contains(r.stderr, "--confirm") {
		t.Fatalf("approve without --confirm: %d %s", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "changes", "approve", "--data", dir, "--tenant", "acme", "--id", id.New(), "--confirm"); r.code != 2 {
		t.Fatalf("approve a made-up change: %d %s", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "changes", "approve", "--data", dir, "--tenant", "acme", "--id", ch.ID, "--confirm"); r.code != 0 {
		t.Fatalf("approve: %d %s", r.code, r.stderr)
	}
	r = runCLI(t, nil, "changes", "list", "--data", dir, "--tenant", "acme", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"Status":"applied"`) || !strings.Contains(r.stdout, `"keep_days":"500"`) {
		t.Fatalf("after approval: %d %s", r.code, r.stdout)
	}
}
