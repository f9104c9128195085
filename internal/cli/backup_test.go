package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

func TestBackupCreateVerifyRestore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if r := runCLI(t, nil, "migrate", "--data", dir); r.code != 0 {
		t.Fatalf("migrate: %d %s", r.code, r.stderr)
	}
	seedVault(t, dir, 5)
	key, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	keys := t.TempDir()
	identity, recipients := filepath.Join(keys, "backup.key"), filepath.Join(keys, "backup.pub")
	if err := os.WriteFile(identity, []byte(key.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(recipients, []byte("# offline backup key\n"+key.Recipient().String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	target := "dir:" + filepath.Join(t.TempDir(), "backups")

	if r := runCLI(t, nil, "backup", "create", "--data", dir, "--to", target); r.code != 2 || !strings.Contains(r.stderr, "always encrypted") {
		t.Fatalf("create without a recipient: %d %q", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "backup", "create", "--data", dir, "--to", target, "--recipient", "age1nonsense"); r.code != 2 {
		t.Fatalf("create with a bad recipient: %d %q", r.code, r.stderr)
	}
	r := runCLI(t, nil, "backup", "create", "--data", dir, "--to", target, "--recipients-file", recipients)
	if r.code != 0 {
		t.Fatalf("create: %d %s", r.code, r.stderr)
	}
	id := strings.TrimSpace(r.stdout)
	if !strings.HasPrefix(id, "salve-") || !strings.Contains(r.stderr, "audit head 5") {
		t.Fatalf("create printed %q %q", r.stdout, r.stderr)
	}

	r = runCLI(t, nil, "backup", "verify", "--from", target, "--id", id, "--identity", identity)
	if r.code != 0 || !strings.Contains(r.stdout, "is intact") || !strings.Contains(r.stdout, "audit chain of 5 events") {
		t.Fatalf("verify: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, nil, "backup", "verify", "--from", target, "--id", id); r.code != 2 {
		t.Fatalf("verify without an identity: %d", r.code)
	}

	dir2 := filepath.Join(t.TempDir(), "restored")
	r = runCLI(t, nil, "backup", "restore", "--data", dir2, "--from", target, "--id", id, "--identity", identity)
	if r.code != 1 || !strings.Contains(r.stderr, "no shred ledger") {
		t.Fatalf("restore without a ledger: %d %q", r.code, r.stderr)
	}
	r = runCLI(t, nil, "backup", "restore", "--data", dir2, "--from", target, "--id", id, "--identity", identity, "--no-shred-ledger")
	if r.code != 0 || !strings.Contains(r.stdout, "restored backup "+id) || !strings.Contains(r.stdout, "no KEK") {
		t.Fatalf("restore: %d %q %q", r.code, r.stdout, r.stderr)
	}
	// The restored audit store, key and checkpoints verify as a whole.
	if r := runCLI(t, nil, "audit", "verify", "--data", dir2); r.code != 0 || !strings.Contains(r.stdout, "audit log intact: 5 events") {
		t.Fatalf("audit verify after restore: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, nil, "backup", "restore", "--data", dir2, "--from", target, "--id", id, "--identity", identity, "--no-shred-ledger")
	if r.code != 1 || !strings.Contains(r.stderr, "not empty") {
		t.Fatalf("restore into full stores: %d %q", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "backup", "frob"); r.code != 2 {
		t.Fatalf("unknown action: %d", r.code)
	}
	if r := runCLI(t, nil, "backup", "-h"); r.code != 0 || !strings.Contains(r.stdout, "restore") {
		t.Fatalf("backup -h: %d", r.code)
	}
}
