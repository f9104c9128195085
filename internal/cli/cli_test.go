package cli

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/testkit"
)

// result is what one run of the command line produced.
type result struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return runCLIContext(t, context.Background(), env, nil, args...)
}

func runCLIContext(t *testing.T, ctx context.Context, env map[string]string, ready func(string), args ...string) result {
	t.Helper()
	var out, errb testkit.LogBuffer
	code := Main(ctx, args, &Env{
		Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return env[k] },
		Ready:  ready,
	})
	return result{code, out.String(), errb.String()}
}

func TestHelpDescribesEveryCommandAndFlag(t *testing.T) {
	r := runCLI(t, nil, "help")
	if r.code != 0 {
		t.Fatalf("help exit %d", r.code)
	}
	for _, c := range commands() {
		if !strings.Contains(r.stdout, "  "+c.name+" ") {
			t.Errorf("help does not list %s", c.name)
		}
	}
	for _, cmd := range []string{"serve", "demo", "migrate", "config"} {
		for _, how := range [][]string{{cmd, "-h"}, {"help", cmd}, {cmd, "--help"}} {
			r := runCLI(t, nil, how...)
			if r.code != 0 {
				t.Fatalf("%v exit %d: %s", how, r.code, r.stderr)
			}
			for _, flag := range []string{"-data", "-catalog-db", "-phi-db", "-audit-db", "-log-format"} {
				if !strings.Contains(r.stdout, flag) {
					t.Errorf("%v does not describe %s", how, flag)
				}
			}
			if cmd != "migrate" {
				for _, flag := range []string{"-addr", "-tls-cert", "-tls-key", "-acme-domain", "-metrics-addr"} {
					if !strings.Contains(r.stdout, flag) {
						t.Errorf("%v does not describe %s", how, flag)
					}
				}
			}
		}
	}
	if r := runCLI(t, nil, "tenant", "create", "-h"); r.code != 0 || !strings.Contains(r.stdout, "-primary-color") {
		t.Errorf("tenant create -h: %d %s", r.code, r.stdout)
	}
	if r := runCLI(t, nil); r.code != 2 {
		t.Errorf("no command: exit %d", r.code)
	}
	if r := runCLI(t, nil, "frobnicate"); r.code != 2 || !strings.Contains(r.stderr, "unknown command") {
		t.Errorf("unknown command: %d %q", r.code, r.stderr)
	}
}

func TestInvalidSettingsExit2WithOneLine(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"serve", "--addr", "0.0.0.0:8443", "--data", dir}, nil, "requires TLS"},
		{[]string{"demo", "--addr", "0.0.0.0:8443", "--data", dir}, nil, "requires TLS"},
		{[]string{"serve", "--data", dir}, map[string]string{"SALVE_ADDR": "10.1.2.3:80"}, "requires TLS"},
		{[]string{"serve", "--log-level", "loud"}, nil, "--log-level"},
		{[]string{"serve", "--tls-cert", "/nonexistent/c.pem", "--tls-key", "/nonexistent/k.pem", "--data", dir}, nil, "--tls-cert"},
		{[]string{"serve", "--no-such-flag"}, nil, "no-such-flag"},
		{[]string{"serve", "extra"}, nil, "unexpected argument"},
		// The test gateway moves no money: serve refuses it unless told so.
		{[]string{"serve", "--payment-gateways", "test,invoice", "--data", dir}, nil, "--allow-test-payments"},
	}
	for _, tc := range cases {
		r := runCLI(t, tc.env, tc.args...)
		if r.code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", tc.args, r.code, r.stderr)
		}
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		last := lines[len(lines)-1]
		if !strings.Contains(last, tc.want) || !strings.HasPrefix(last, "salve: ") {
			t.Errorf("%v: stderr %q should end in one line mentioning %q", tc.args, r.stderr, tc.want)
		}
	}
}

func TestConfigMasksSecrets(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "audit-dsn")
	if err := os.WriteFile(secretFile, []byte("postgres://audit:filepass@db/audit\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, map[string]string{"SALVE_AUDIT_DB_FILE": secretFile, "SALVE_PHI_DB": "postgres://phi:envpass@db/phi"},
		"config", "--catalog-db", "postgres://cat:flagpass@db/cat")
	if r.code != 0 {
		t.Fatalf("config exit %d: %s", r.code, r.stderr)
	}
	for _, secret := range []string{"flagpass", "envpass", "filepass"} {
		if strings.Contains(r.stdout, secret) {
			t.Fatalf("config printed a secret:\n%s", r.stdout)
		}
	}
	for _, want := range []string{"postgres://cat:*****@db/cat", "(flag)", "(env)", "(file)", "127.0.0.1:8080", "(default)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("config output lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestServeRefusesUnmigratedStoresThenRunsAfterMigrate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	r := runCLI(t, nil, "serve", "--data", dir, "--addr", "127.0.0.1:0")
	if r.code != 1 || !strings.Contains(r.stderr, "run `salve migrate`") {
		t.Fatalf("serve on fresh stores: %d %q", r.code, r.stderr)
	}
	r = runCLI(t, nil, "migrate", "--data", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "catalog: applied 0001_store_identity") || !strings.Contains(r.stdout, "up to date") {
		t.Fatalf("migrate: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, nil, "migrate", "--data", dir); r.code != 0 || strings.Contains(r.stdout, "applied") {
		t.Fatalf("second migrate: %d %q", r.code, r.stdout)
	}
	// No tenant yet: every host is 404, but the process is healthy.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan [2]int, 1)
	done := make(chan result, 1)
	go func() {
		done <- runCLIContext(t, ctx, nil, func(url string) {
			got <- [2]int{status(t, url), status(t, url+"healthz")}
			cancel()
		}, "serve", "--data", dir, "--addr", "127.0.0.1:0")
	}()
	res := <-done
	if res.code != 0 {
		t.Fatalf("serve exit %d: %s", res.code, res.stderr)
	}
	if s := <-got; s != [2]int{404, 200} {
		t.Fatalf("home, healthz = %v, want 404, 200", s)
	}
	if !strings.Contains(res.stderr, `"msg":"listening"`) || !strings.Contains(res.stderr, `"msg":"stopped"`) {
		t.Fatalf("serve logs JSON lines: %s", res.stderr)
	}
}

func TestDemoCreatesDataServesAndReusesIt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "salve-data")
	for round := range 2 {
		ctx, cancel := context.WithCancel(context.Background())
		var body, login, diabetes, travel, travelLogo, diabetesLogo string
		r := runCLIContext(t, ctx, nil, func(url string) {
			body = fetch(t, url)
			login = demoSignIn(t, url)
			diabetes, travel = fetchHost(t, url, "diabetes.localhost"), fetchHost(t, url, "travel.localhost")
			travelLogo, diabetesLogo = fetchHost(t, url+"logo", "travel.localhost"), fetchHost(t, url+"logo", "diabetes.localhost")
			cancel()
		}, "demo", "--data", dir, "--addr", "127.0.0.1:0")
		if r.code != 0 {
			t.Fatalf("round %d: demo exit %d: %s", round, r.code, r.stderr)
		}
		if !strings.Contains(body, "Salve Demo Pharmacy") {
			t.Fatalf("round %d: demo home page:\n%s", round, body)
		}
		// The demo offers the test gateway, so it says so on every page.
		if !strings.Contains(body, "Test payments: no money moves") {
			t.Fatalf("round %d: the demo's pages lack the test payments banner", round)
		}
		if !strings.Contains(r.stdout, "Salve demo is running at http://localhost:") {
			t.Fatalf("round %d: demo must print its URL: %q", round, r.stdout)
		}
		// Two brands of one organisation, each at its own host with its own
		// name and logo; the travel clinic shows none of the pharmacy's.
		if !strings.Contains(diabetes, "Salve Demo Pharmacy") || !strings.Contains(travel, "Salve Travel Clinic") || strings.Contains(travel, "Salve Demo Pharmacy") {
			t.Fatalf("round %d: the brands' home pages: diabetes has the pharmacy %v, travel has the clinic %v", round,
				strings.Contains(diabetes, "Salve Demo Pharmacy"), strings.Contains(travel, "Salve Travel Clinic"))
		}
		if travelLogo == "" || travelLogo == diabetesLogo || !strings.HasPrefix(travelLogo, "\x89PNG") {
			t.Fatalf("round %d: the brands' logos are not their own (%d and %d bytes)", round, len(travelLogo), len(diabetesLogo))
		}
		if !strings.Contains(r.stdout, "http://diabetes.localhost:") || !strings.Contains(r.stdout, "http://travel.localhost:") {
			t.Fatalf("round %d: demo must print both brands' URLs: %q", round, r.stdout)
		}
		if !strings.Contains(r.stdout, "patient@salve-demo.example") || !strings.Contains(r.stdout, "demo admin password") {
			t.Fatalf("round %d: demo must print its accounts: %q", round, r.stdout)
		}
		if login != "/" {
			t.Fatalf("round %d: the demo patient's sign-in went to %q", round, login)
		}
		seeded := strings.Contains(r.stderr, "seeded the demo tenant")
		if seeded != (round == 0) {
			t.Fatalf("round %d: seeded=%v; the second run must reuse the data:\n%s", round, seeded, r.stderr)
		}
		if strings.Contains(r.stderr, `{"time"`) {
			t.Fatalf("demo logs readable text, not JSON: %s", r.stderr)
		}
	}
	st, err := os.Stat(dir)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("data directory mode: %v %v", st.Mode(), err)
	}
	for _, f := range []string{config.CatalogFile, config.PHIFile, config.AuditFile} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v", f, err)
		}
	}
	// The tenant command sees the demo tenant.
	r := runCLI(t, nil, "tenant", "list", "--data", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "demo") || !strings.Contains(r.stdout, "yes") {
		t.Fatalf("tenant list: %d %s %s", r.code, r.stdout, r.stderr)
	}
}

func TestTenantCommands(t *testing.T) {
	dir := t.TempDir()
	if r := runCLI(t, nil, "migrate", "--data", dir); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := runCLI(t, nil, "tenant", "list", "--data", dir); r.code != 0 || !strings.Contains(r.stdout, "no tenants yet") {
		t.Fatalf("empty list: %q", r.stdout)
	}
	r := runCLI(t, nil, "tenant", "create", "--data", dir, "--slug", "acme", "--name", "Acme Health", "--hosts", "shop.acme.example,ACME.example", "--primary-color", "#222222", "--default")
	if r.code != 0 {
		t.Fatalf("create: %d %s", r.code, r.stderr)
	}
	// Bad input: a clear error naming the flag, exit 2, nothing changed.
	r = runCLI(t, nil, "tenant", "update", "--data", dir, "--slug", "acme", "--name", "", "--accent-color", "teal")
	if r.code != 2 || !strings.Contains(r.stderr, "--name") || !strings.Contains(r.stderr, "--accent-color") {
		t.Fatalf("bad update: %d %q", r.code, r.stderr)
	}
	logo := filepath.Join(t.TempDir(), "logo.png")
	_ = os.WriteFile(logo, []byte("not an image"), 0o600)
	if r := runCLI(t, nil, "tenant", "update", "--data", dir, "--slug", "acme", "--logo", logo); r.code != 2 || !strings.Contains(r.stderr, "--logo") {
		t.Fatalf("bad logo: %d %q", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "tenant", "create", "--data", dir, "--slug", "other", "--name", "Other", "--hosts", "acme.example"); r.code != 2 || !strings.Contains(r.stderr, "acme.example") {
		t.Fatalf("duplicate host: %d %q", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "tenant", "update", "--data", dir, "--slug", "ghost", "--name", "x"); r.code != 1 || !strings.Contains(r.stderr, `no tenant "ghost"`) {
		t.Fatalf("missing tenant: %d %q", r.code, r.stderr)
	}
	r = runCLI(t, nil, "tenant", "list", "--data", dir)
	if !strings.Contains(r.stdout, "Acme Health") || !strings.Contains(r.stdout, "acme.example,shop.acme.example") || strings.Contains(r.stdout, "other") {
		t.Fatalf("list after errors: %s", r.stdout)
	}
	if r := runCLI(t, nil, "tenant", "update", "--data", dir, "--slug", "acme", "--name", "Acme Pharmacy"); r.code != 0 {
		t.Fatalf("update: %s", r.stderr)
	}
	if r := runCLI(t, nil, "tenant", "create", "--data", dir, "--slug", "beta", "--name", "Beta"); r.code != 0 {
		t.Fatalf("create beta: %s", r.stderr)
	}
	if r := runCLI(t, nil, "tenant", "default", "--data", dir, "--slug", "beta"); r.code != 0 {
		t.Fatalf("default: %s", r.stderr)
	}
	r = runCLI(t, nil, "tenant", "list", "--data", dir)
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(line, "acme") && (!strings.Contains(line, "Acme Pharmacy") || strings.Contains(line, "yes")) {
			t.Fatalf("acme line: %q", line)
		}
		if strings.HasPrefix(line, "beta") && !strings.Contains(line, "yes") {
			t.Fatalf("beta should be the default: %q", line)
		}
	}
	if r := runCLI(t, nil, "tenant", "fly", "--data", dir); r.code != 2 {
		t.Fatalf("unknown action: %d", r.code)
	}
}

func TestVersion(t *testing.T) {
	r := runCLI(t, nil, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "salve ") || !strings.Contains(r.stdout, "go1.") {
		t.Fatalf("version: %d %q", r.code, r.stdout)
	}
}

func status(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Error(err)
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func fetch(t *testing.T, url string) string {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Error(err)
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// fetchHost gets url with another Host header: a brand's host name that
// resolves to loopback in browsers (*.localhost) but perhaps not here.
func fetchHost(t *testing.T, url, host string) string {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Error(err)
		return ""
	}
	req.Host = host
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Error(err)
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// demoSignIn signs the printed demo patient in and returns where it was sent.
func demoSignIn(t *testing.T, base string) string {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := "email=patient%40salve-demo.example&password=demo+patient+password"
	req, _ := http.NewRequest("POST", base+"login", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", strings.TrimSuffix(base, "/"))
	resp, err := c.Do(req)
	if err != nil {
		t.Error(err)
		return ""
	}
	defer resp.Body.Close()
	return resp.Header.Get("Location")
}

func TestCatalogCommands(t *testing.T) {
	dir := t.TempDir()
	if r := runCLI(t, nil, "migrate", "--data", dir); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := runCLI(t, nil, "tenant", "create", "--data", dir, "--slug", "acme", "--name", "Acme"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	head := "slug,name,brand,category,tags,requires_prescription,hsa_fsa_eligible,status,summary,description,sku,variant,price,currency,stock\n"
	good := filepath.Join(dir, "good.csv")
	bad := filepath.Join(dir, "bad.csv")
	_ = os.WriteFile(good, []byte(head+"bandages,Bandages,,,,,,,,,B1,100,4.99,USD,10\nbandages,,,,,,,,,,B2,200,8.99,USD,0\n"), 0o600)
	_ = os.WriteFile(bad, []byte(head+"tape,Tape,,,,,,,,,T1,,1.00,USD,1\ngauze,Gauze,,,,,,,,,G1,,-2,USD,1\n"), 0o600)
	if r := runCLI(t, nil, "catalog", "import", "--data", dir, "--tenant", "acme", bad); r.code != 1 || !strings.Contains(r.stderr, "line 3: the price cannot be negative") {
		t.Fatalf("bad import: %d %s", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "catalog", "export", "--data", dir, "--tenant", "acme"); r.code != 0 || strings.Contains(r.stdout, "tape") {
		t.Fatalf("a bad file changed the catalog: %s", r.stdout)
	}
	if r := runCLI(t, nil, "catalog", "import", "--data", dir, "--tenant", "acme", good); r.code != 0 || !strings.Contains(r.stdout, "1 products created") {
		t.Fatalf("import: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, nil, "catalog", "export", "--data", dir, "--tenant", "acme"); r.code != 0 || !strings.Contains(r.stdout, "bandages,Bandages,,,,false,false,active,,,B2,200,8.99,USD,0") {
		t.Fatalf("export: %d %s", r.code, r.stdout)
	}
	if r := runCLI(t, nil, "catalog", "export", "--data", dir, "--tenant", "ghost"); r.code != 1 || !strings.Contains(r.stderr, `no tenant "ghost"`) {
		t.Fatalf("unknown tenant: %d %s", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "catalog", "import", "--data", dir, "--tenant", "acme"); r.code != 2 {
		t.Fatalf("missing file: %d", r.code)
	}
	if r := runCLI(t, nil, "catalog", "frobnicate"); r.code != 2 {
		t.Fatalf("unknown action: %d", r.code)
	}
	if r := runCLI(t, nil, "help", "catalog"); r.code != 0 || !strings.Contains(r.stdout, "requires_prescription") {
		t.Fatalf("help catalog: %d %s", r.code, r.stdout)
	}
}

// TestCatalogImportForAnOrganisation: salve catalog import --org fills an
// organisation's shared catalog, export --org writes it back; a file with a
// bad row changes nothing; --tenant and --org together, or an unknown
// organisation, are refused.
func TestCatalogImportForAnOrganisation(t *testing.T) {
	dir := t.TempDir()
	if r := runCLI(t, nil, "migrate", "--data", dir); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := runCLI(t, nil, "org", "create", "--data", dir, "--slug", "group", "--name", "Care Group"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	head := "slug,name,brand,category,tags,requires_prescription,hsa_fsa_eligible,status,summary,description,sku,variant,price,currency,stock\n"
	good := filepath.Join(dir, "good.csv")
	bad := filepath.Join(dir, "bad.csv")
	_ = os.WriteFile(good, []byte(head+"sunscreen,Sunscreen,,first-aid,,,,,,,SUN-1,100 ml,9.99,USD,50\n"), 0o600)
	_ = os.WriteFile(bad, []byte(head+"gel,Gel,,,,,,,,,G1,,1.00,USD,1\nwipes,Wipes,,,,,,,,,W1,,-2,USD,1\n"), 0o600)
	if r := runCLI(t, nil, "catalog", "import", "--data", dir, "--org", "group", bad); r.code != 1 || !strings.Contains(r.stderr, "line 3: the price cannot be negative") {
		t.Fatalf("bad import: %d %s", r.code, r.stderr)
	}
	// The category is a slug of the brands' categories: none exist yet.
	if r := runCLI(t, nil, "catalog", "import", "--data", dir, "--org", "group", good); r.code != 1 || !strings.Contains(r.stderr, `unknown category "first-aid"`) {
		t.Fatalf("unknown category: %d %s", r.code, r.stderr)
	}
	_ = os.WriteFile(good, []byte(head+"sunscreen,Sunscreen,,,,,,,,,SUN-1,100 ml,9.99,USD,50\n"), 0o600)
	if r := runCLI(t, nil, "catalog", "import", "--data", dir, "--org", "group", good); r.code != 0 || !strings.Contains(r.stdout, "1 products created") {
		t.Fatalf("import: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, nil, "catalog", "export", "--data", dir, "--org", "group"); r.code != 0 || !strings.Contains(r.stdout, "sunscreen,Sunscreen,,,,false,false,active,,,SUN-1,100 ml,9.99,USD,50") ||
		strings.Contains(r.stdout, "gel") {
		t.Fatalf("export: %d %s", r.code, r.stdout)
	}
	if r := runCLI(t, nil, "catalog", "export", "--data", dir, "--org", "ghost"); r.code != 1 || !strings.Contains(r.stderr, "ghost") {
		t.Fatalf("unknown organisation: %d %s", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "catalog", "export", "--data", dir, "--org", "group", "--tenant", "acme"); r.code != 2 {
		t.Fatalf("both --org and --tenant: %d", r.code)
	}
}

// TestOrgCommands: an organisation's settings flow to the brands created
// under it, a brand's override and reset show in 'tenant settings', and bad
// input is a clear error.
func TestOrgCommands(t *testing.T) {
	dir := t.TempDir()
	if r := runCLI(t, nil, "migrate", "--data", dir); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := runCLI(t, nil, "org", "list", "--data", dir); r.code != 0 || !strings.Contains(r.stdout, "no organisations yet") {
		t.Fatalf("empty list: %d %q", r.code, r.stdout)
	}
	if r := runCLI(t, nil, "org", "create", "--data", dir, "--slug", "group", "--name", "Care Group"); r.code != 0 {
		t.Fatalf("org create: %s", r.stderr)
	}
	if r := runCLI(t, nil, "org", "set", "--data", dir, "--slug", "group", "--key", "primary_color", "--value", "#114477"); r.code != 0 {
		t.Fatalf("org set: %s", r.stderr)
	}
	if r := runCLI(t, nil, "tenant", "create", "--data", dir, "--slug", "diabetes", "--name", "Diabetes Care", "--hosts", "diabetes.localhost", "--org", "group"); r.code != 0 {
		t.Fatalf("brand create: %s", r.stderr)
	}
	if r := runCLI(t, nil, "tenant", "create", "--data", dir, "--slug", "kids", "--name", "Kids", "--org", "group", "--parent", "diabetes", "--accent-color", "#005500"); r.code != 0 {
		t.Fatalf("child brand create: %s", r.stderr)
	}
	if r := runCLI(t, nil, "tenant", "create", "--data", dir, "--slug", "x", "--name", "X", "--org", "nobody"); r.code != 2 || !strings.Contains(r.stderr, `no organisation "nobody"`) {
		t.Fatalf("unknown org: %d %q", r.code, r.stderr)
	}
	r := runCLI(t, nil, "tenant", "settings", "--data", dir, "--slug", "kids")
	if r.code != 0 || !settingLine(r.stdout, "primary_color", "#114477", "organisation group") || !settingLine(r.stdout, "accent_color", "#005500", "brand") {
		t.Fatalf("kids settings:\n%s%s", r.stdout, r.stderr)
	}
	if r := runCLI(t, nil, "tenant", "set", "--data", dir, "--slug", "diabetes", "--key", "footer", "--value", "Since 1990"); r.code != 0 {
		t.Fatalf("tenant set: %s", r.stderr)
	}
	if r := runCLI(t, nil, "tenant", "settings", "--data", dir, "--slug", "kids"); !settingLine(r.stdout, "footer", "Since 1990", "parent diabetes") {
		t.Fatalf("kids inherits the parent's footer:\n%s", r.stdout)
	}
	if r := runCLI(t, nil, "tenant", "reset", "--data", dir, "--slug", "kids", "--key", "accent_color"); r.code != 0 {
		t.Fatalf("reset: %s", r.stderr)
	}
	if r := runCLI(t, nil, "tenant", "settings", "--data", dir, "--slug", "kids"); !settingLine(r.stdout, "accent_color", "#0b7a75", "default") {
		t.Fatalf("after reset:\n%s", r.stdout)
	}
	if r := runCLI(t, nil, "org", "set", "--data", dir, "--slug", "group", "--key", "primary_color", "--value", "teal"); r.code != 2 || !strings.Contains(r.stderr, "#1f4e79") {
		t.Fatalf("bad value: %d %q", r.code, r.stderr)
	}
	r = runCLI(t, nil, "org", "list", "--data", dir)
	if !strings.Contains(r.stdout, "Care Group") || !strings.Contains(r.stdout, "diabetes,kids") {
		t.Fatalf("org list: %s", r.stdout)
	}
	if r := runCLI(t, nil, "tenant", "list", "--data", dir); !strings.Contains(r.stdout, "group") {
		t.Fatalf("tenant list shows the organisation: %s", r.stdout)
	}
}

func settingLine(out, key, value, from string) bool {
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, key+" ") && strings.Contains(line, " "+value+" ") && strings.HasSuffix(line, "  "+from) {
			return true
		}
	}
	return false
}

// TestServeSetsTheGCTargetUnlessGOGCIsSet: a serving process runs the
// garbage collector at serverGCPercent (docs/operations.md), and leaves
// the runtime's setting alone when GOGC is in the environment.
func TestServeSetsTheGCTargetUnlessGOGCIsSet(t *testing.T) {
	was := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(was) })
	dir := filepath.Join(t.TempDir(), "data")
	if r := runCLI(t, nil, "migrate", "--data", dir); r.code != 0 {
		t.Fatalf("migrate: %d %s", r.code, r.stderr)
	}
	serve := func(env map[string]string) int {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var percent int
		res := runCLIContext(t, ctx, env, func(string) {
			// Read the setting by setting it back to itself.
			percent = debug.SetGCPercent(-1)
			debug.SetGCPercent(percent)
			cancel()
		}, "serve", "--data", dir, "--addr", "127.0.0.1:0")
		if res.code != 0 {
			t.Fatalf("serve exit %d: %s", res.code, res.stderr)
		}
		return percent
	}
	if p := serve(map[string]string{"GOGC": "100"}); p != 100 {
		t.Errorf("with GOGC set, the GC target is %d, want the runtime's 100", p)
	}
	if p := serve(nil); p != serverGCPercent {
		t.Errorf("the GC target is %d, want %d", p, serverGCPercent)
	}
}
