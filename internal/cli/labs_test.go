package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLabsImport: salve labs import takes a FHIR bundle all or nothing,
// listing each problem with its line, column and field; a good bundle
// stores its reports (held). salve labs delay sets the release delay.
func TestLabsImport(t *testing.T) {
	dir := t.TempDir()
	if r := runCLI(t, nil, "migrate", "--data", dir); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := runCLI(t, nil, "tenant", "create", "--data", dir, "--slug", "acme", "--name", "Acme Health", "--default"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	pw := filepath.Join(t.TempDir(), "pw")
	_ = os.WriteFile(pw, []byte("a long patient password\n"), 0o600)
	idOf := func(role, email string) string {
		r := runCLI(t, nil, "user", "create", "--data", dir, "--tenant", "acme", "--role", role, "--email", email, "--password-file", pw)
		m := regexp.MustCompile(`account ([0-9a-f-]{36})`).FindStringSubmatch(r.stdout)
		if r.code != 0 || m == nil {
			t.Fatalf("user create %s: %d %s", role, r.code, r.stderr)
		}
		return m[1]
	}
	patient, doc := idOf("patient", "pat@acme.example"), idOf("clinician", "doc@acme.example")
	raw, err := os.ReadFile("../labs/testdata/lipid_bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	good := strings.ReplaceAll(string(raw), "PATIENT_ID", patient)
	write := func(name, body string) string {
		p := filepath.Join(t.TempDir(), name)
		_ = os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	bad := write("bad.json", strings.Replace(good, `"13457-7"`, `"13457-1"`, 1))
	r := runCLI(t, nil, "labs", "import", "--data", dir, "--tenant", "acme", "--clinician", doc, bad)
	if r.code != 2 || !strings.Contains(r.stderr, "nothing was imported") || !strings.Contains(r.stderr, "entry[1].resource.code.coding") ||
		!regexp.MustCompile(`line \d+:\d+`).MatchString(r.stderr) {
		t.Fatalf("bad bundle: %d %q", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "labs", "import", "--data", dir, "--tenant", "acme", write("nodoc.json", good)); r.code != 2 || !strings.Contains(r.stderr, "clinician") {
		t.Fatalf("no ordering clinician: %d %q", r.code, r.stderr)
	}
	r = runCLI(t, nil, "labs", "import", "--data", dir, "--tenant", "acme", "--clinician", doc, write("good.json", good))
	if r.code != 0 || !regexp.MustCompile(`Imported 1 lab report\(s\), held for release: [0-9a-f-]{36}`).MatchString(r.stdout) {
		t.Fatalf("good bundle: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, nil, "labs", "delay", "--data", dir, "--tenant", "acme", "--hours", "72"); r.code != 0 || !strings.Contains(r.stdout, "72 hours") {
		t.Fatalf("delay: %d %q", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "labs", "delay", "--data", dir, "--tenant", "acme", "--hours", "100000"); r.code != 2 {
		t.Fatalf("a delay past the limit: %d %q", r.code, r.stderr)
	}
}
