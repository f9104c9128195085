package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOrgRoleCommands: 'salve org role grant|list|revoke' gives a staff
// account of a brand of the organisation its organisation role, lists it
// (without the address), and takes it away; a patient's account, a brand of
// another organisation, an unknown address and a role that is not a staff
// role are refused with one line and exit 2.
func TestOrgRoleCommands(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(t.TempDir(), "pw")
	_ = os.WriteFile(pw, []byte("a long patient secret 42\n"), 0o600)
	for _, args := range [][]string{
		{"migrate"},
		{"org", "create", "--slug", "group", "--name", "Care Group"},
		{"org", "create", "--slug", "rival", "--name", "Rival Group"},
		{"tenant", "create", "--slug", "diabetes", "--name", "Diabetes Care", "--hosts", "diabetes.localhost", "--org", "group"},
		{"tenant", "create", "--slug", "travel", "--name", "Travel Clinic", "--hosts", "travel.localhost", "--org", "group"},
		{"tenant", "create", "--slug", "other", "--name", "Other", "--hosts", "other.localhost", "--org", "rival"},
		{"user", "create", "--tenant", "diabetes", "--role", "compliance", "--email", "officer@group.example", "--password-file", pw},
		{"user", "create", "--tenant", "diabetes", "--role", "patient", "--email", "pat@group.example", "--password-file", pw},
		{"user", "create", "--tenant", "other", "--role", "admin", "--email", "boss@rival.example", "--password-file", pw},
	} {
		if r := runCLI(t, nil, append(args, "--data", dir)...); r.code != 0 {
			t.Fatalf("%v: %d %s", args, r.code, r.stderr)
		}
	}
	if r := runCLI(t, nil, "org", "role", "list", "--data", dir, "--org", "group"); r.code != 0 || !strings.Contains(r.stdout, "no organisation roles") {
		t.Fatalf("empty list: %d %q %q", r.code, r.stdout, r.stderr)
	}
	for _, bad := range [][]string{
		{"grant", "--org", "group", "--tenant", "diabetes", "--email", "pat@group.example", "--role", "compliance"},
		{"grant", "--org", "group", "--tenant", "other", "--email", "boss@rival.example", "--role", "admin"},
		{"grant", "--org", "group", "--tenant", "diabetes", "--email", "nobody@group.example", "--role", "compliance"},
		{"grant", "--org", "group", "--tenant", "diabetes", "--email", "officer@group.example", "--role", "patient"},
		{"grant", "--org", "nosuch", "--tenant", "diabetes", "--email", "officer@group.example", "--role", "compliance"},
		{"grant", "--tenant", "diabetes", "--email", "officer@group.example", "--role", "compliance"},
		{"revoke", "--org", "group", "--tenant", "diabetes", "--email", "officer@group.example"},
	} {
		r := runCLI(t, nil, append([]string{"org", "role", bad[0], "--data", dir}, bad[1:]...)...)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, want 2 with one line: %q", bad, r.code, r.stderr)
		}
	}
	r := runCLI(t, nil, "org", "role", "grant", "--data", dir, "--org", "group", "--tenant", "diabetes", "--email", "officer@group.example", "--role", "compliance")
	if r.code != 0 || !strings.Contains(r.stdout, "compliance in every brand of group") || strings.Contains(r.stdout+r.stderr, "officer@") {
		t.Fatalf("grant: %d %q %q (the address must not be printed)", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, nil, "org", "role", "list", "--data", dir, "--org", "group")
	if r.code != 0 || !strings.Contains(r.stdout, "diabetes") || !strings.Contains(r.stdout, "compliance") || strings.Contains(r.stdout, "officer@") {
		t.Fatalf("list: %d %q", r.code, r.stdout)
	}
	if r := runCLI(t, nil, "org", "role", "list", "--data", dir, "--org", "rival"); !strings.Contains(r.stdout, "no organisation roles") {
		t.Fatalf("another organisation lists it: %q", r.stdout)
	}
	if r := runCLI(t, nil, "org", "role", "revoke", "--data", dir, "--org", "group", "--tenant", "diabetes", "--email", "officer@group.example"); r.code != 0 {
		t.Fatalf("revoke: %d %q", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "org", "role", "list", "--data", dir, "--org", "group"); !strings.Contains(r.stdout, "no organisation roles") {
		t.Fatalf("after revoke: %q", r.stdout)
	}
	if r := runCLI(t, nil, "org", "role", "-h"); r.code != 0 || !strings.Contains(r.stdout, "brand switcher") {
		t.Fatalf("help: %d %q", r.code, r.stdout)
	}
	if r := runCLI(t, nil, "org", "-h"); !strings.Contains(r.stdout, "role") {
		t.Fatalf("org help lists role: %q", r.stdout)
	}
}
