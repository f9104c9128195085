package server_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The import rules of docs/architecture.md, checked on the real import graph
// (`go list -deps`). Each rule says why it exists; a failure names the
// package, the import and the rule.

const module = "github.com/salvehealth/salve/"

// pkg is one package of the module as `go list` sees it (tests excluded: a
// test may reach anything).
type pkg struct {
	Path    string   // import path without the module prefix, e.g. "internal/orders"
	Imports []string // direct imports, full paths
	Deps    []string // every transitive dependency, full paths
}

// adapters are the packages that may speak SQL or HTTP: they connect the
// domains to the world (storage, the web, the command line, outside services)
// or wire everything together. Every other package under internal/ is a
// domain (or a kernel such as vault and audit): it declares the interfaces it
// needs, and an adapter implements them.
var adapters = []string{
	"internal/store",          // SQL for both engines: implements every domain's Store
	"internal/server",         // composition root
	"internal/cli",            // one file per subcommand; wires like server
	"internal/demo",           // demo data, seeded by cli
	"internal/httpx",          // HTTP middleware, router, errors → status
	"internal/render",         // templates and static files
	"internal/web",            // the web surfaces and what they share
	"internal/api",            // JSON API and incoming webhooks
	"internal/testkit",        // test harness, imported only by tests
	"internal/oidc",           // OpenID Connect client (talks HTTP to the provider)
	"internal/payment/stripe", // Stripe client (talks HTTP to Stripe)
	"internal/backup",         // snapshots and restores the stores, talks HTTP to S3
	"internal/webhooks",       // outgoing webhooks (issue 19): talks HTTP to receivers
}

// isAdapter reports whether p is an adapter (or below one, as web/shop is).
func isAdapter(p string) bool {
	for _, a := range adapters {
		if p == a || strings.HasPrefix(p, a+"/") {
			return true
		}
	}
	return false
}

// noVault are the packages that must never depend on the vault, not even
// through a chain of imports: public data and the pages and API that serve
// it. Why: a storefront process holds no keys (DESIGN §2.2), and code that
// cannot reach the vault cannot leak a key or decrypt by mistake.
var noVault = []string{"internal/catalog", "internal/web/shop", "internal/api"}

// rules returns every violation in pkgs, one line each.
func rules(pkgs []pkg) []string {
	var out []string
	bad := func(p pkg, imp, rule string) {
		out = append(out, fmt.Sprintf("%s imports %s: %s", p.Path, strings.TrimPrefix(imp, module), rule))
	}
	for _, p := range pkgs {
		domain := strings.HasPrefix(p.Path, "internal/") && !isAdapter(p.Path)
		for _, imp := range p.Imports {
			switch {
			case domain && imp == module+"internal/store":
				bad(p, imp, "a domain declares the Store it needs and internal/store implements it; only server, cli and demo wire a concrete store")
			case domain && imp == "database/sql":
				bad(p, imp, "a domain speaks no SQL: SQL lives in internal/store")
			case domain && imp == "net/http":
				bad(p, imp, "a domain speaks no HTTP: handlers live in web/* and api, clients of outside services in their adapter package")
			case imp == module+"internal/cli" && p.Path != "cmd/salve":
				bad(p, imp, "only cmd/salve runs the commands")
			// bench/* are commands too, run by hand and by bench/run (bench/enumeration
			// builds a server on a fake clock to measure it).
			case imp == module+"internal/server" && p.Path != "cmd/salve" && p.Path != "internal/cli" && p.Path != "internal/testkit" &&
				!strings.HasPrefix(p.Path, "bench/"):
				bad(p, imp, "only the commands (and testkit, for tests) reach the composition root; nothing it builds may know it")
			case imp == module+"internal/testkit":
				bad(p, imp, "testkit is for tests only")
			}
		}
		if domain && slices.Contains(p.Deps, module+"internal/store") && !slices.Contains(p.Imports, module+"internal/store") {
			bad(p, via(p, pkgs, module+"internal/store"), "a domain must not depend on internal/store, even through another package")
		}
		if p.Path == "internal/httpx" && slices.Contains(p.Deps, module+"internal/store") {
			bad(p, via(p, pkgs, module+"internal/store"), "the HTTP layer is below the domains: it knows no store")
		}
		for _, nv := range noVault {
			if (p.Path == nv || strings.HasPrefix(p.Path, nv+"/")) && slices.Contains(p.Deps, module+"internal/vault") {
				bad(p, via(p, pkgs, module+"internal/vault"), "public data and its pages never depend on the vault; domains reach PHI through the phi contract")
			}
		}
	}
	return out
}

// via names the direct import of p through which it depends on target, so
// that a failure points at the line to change.
func via(p pkg, pkgs []pkg, target string) string {
	for _, imp := range p.Imports {
		if imp == target {
			return imp
		}
		for _, q := range pkgs {
			if module+q.Path == imp && slices.Contains(q.Deps, target) {
				return imp + " (which depends on " + strings.TrimPrefix(target, module) + ")"
			}
		}
	}
	return target
}

// loadPackages lists the module's packages with `go list`.
func loadPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}}|{{join .Imports \",\"}}|{{join .Deps \",\"}}", module+"...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 1<<20), 1<<24)
	for sc.Scan() {
		parts := strings.Split(sc.Text(), "|")
		if len(parts) != 3 {
			t.Fatalf("go list: unexpected line %q", sc.Text())
		}
		pkgs = append(pkgs, pkg{Path: strings.TrimPrefix(parts[0], module), Imports: split(parts[1]), Deps: split(parts[2])})
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list found %d packages; expected the whole module", len(pkgs))
	}
	return pkgs
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// TestImportRules holds the layout's rules on the real import graph.
func TestImportRules(t *testing.T) {
	if testing.Short() {
		t.Skip("go list over the module; not in -short")
	}
	pkgs := loadPackages(t)
	for _, v := range rules(pkgs) {
		t.Error(v)
	}
	// The rules name packages that must exist; a rename that leaves a rule
	// pointing nowhere would silently switch it off.
	for _, p := range append(slices.Clone(noVault), "internal/httpx", "internal/store", "internal/server", "internal/cli") {
		if !slices.ContainsFunc(pkgs, func(q pkg) bool { return q.Path == p }) {
			t.Errorf("the import rules name %s, which does not exist", p)
		}
	}
}

// TestImportRulesCatch proves each rule fails on a graph that breaks it.
func TestImportRulesCatch(t *testing.T) {
	m := func(p string) string { return module + p }
	cases := []struct {
		name string
		pkgs []pkg
		want string
	}{
		{"domain imports store", []pkg{{Path: "internal/orders", Imports: []string{m("internal/store")}, Deps: []string{m("internal/store")}}},
			"internal/orders imports internal/store"},
		{"domain imports database/sql", []pkg{{Path: "internal/lists", Imports: []string{"database/sql"}}}, "internal/lists imports database/sql"},
		{"domain imports net/http", []pkg{{Path: "internal/accounts", Imports: []string{"net/http"}}}, "internal/accounts imports net/http"},
		{"domain depends on store through another domain", []pkg{
			{Path: "internal/orders", Imports: []string{m("internal/jobs")}, Deps: []string{m("internal/jobs"), m("internal/store")}},
			{Path: "internal/jobs", Imports: []string{m("internal/store")}, Deps: []string{m("internal/store")}},
		}, "internal/orders imports internal/jobs (which depends on internal/store)"},
		{"shop depends on vault", []pkg{{Path: "internal/web/shop", Imports: []string{m("internal/orders")}, Deps: []string{m("internal/orders"), m("internal/vault")}},
			{Path: "internal/orders", Imports: []string{m("internal/vault")}, Deps: []string{m("internal/vault")}}},
			"internal/web/shop imports internal/orders (which depends on internal/vault)"},
		{"catalog depends on vault", []pkg{{Path: "internal/catalog", Imports: []string{m("internal/vault")}, Deps: []string{m("internal/vault")}}},
			"internal/catalog imports internal/vault"},
		{"api depends on vault", []pkg{{Path: "internal/api", Imports: []string{m("internal/vault")}, Deps: []string{m("internal/vault")}}},
			"internal/api imports internal/vault"},
		{"httpx depends on store", []pkg{{Path: "internal/httpx", Imports: []string{m("internal/audit")}, Deps: []string{m("internal/audit"), m("internal/store")}},
			{Path: "internal/audit", Imports: []string{m("internal/store")}, Deps: []string{m("internal/store")}}},
			"internal/httpx imports internal/audit (which depends on internal/store)"},
		{"surface imports server", []pkg{{Path: "internal/web/portal", Imports: []string{m("internal/server")}}}, "internal/web/portal imports internal/server"},
		{"demo imports cli", []pkg{{Path: "internal/demo", Imports: []string{m("internal/cli")}}}, "internal/demo imports internal/cli"},
		{"demo imports server", []pkg{{Path: "internal/demo", Imports: []string{m("internal/server")}}}, "internal/demo imports internal/server"},
		{"code imports testkit", []pkg{{Path: "internal/web/admin", Imports: []string{m("internal/testkit")}}}, "internal/web/admin imports internal/testkit"},
	}
	for _, c := range cases {
		got := rules(c.pkgs)
		if !slices.ContainsFunc(got, func(v string) bool { return strings.HasPrefix(v, c.want+":") }) {
			t.Errorf("%s: want a violation starting %q, got %q", c.name, c.want, got)
		}
	}
	// And the adapters may do what domains may not.
	allowed := []pkg{
		{Path: "internal/store", Imports: []string{"database/sql"}},
		{Path: "internal/web/shop", Imports: []string{"net/http"}},
		{Path: "internal/payment/stripe", Imports: []string{"net/http"}},
		{Path: "cmd/salve", Imports: []string{m("internal/cli")}},
		{Path: "internal/testkit", Imports: []string{m("internal/server")}},
		{Path: "internal/cli", Imports: []string{m("internal/server")}},
	}
	if got := rules(allowed); len(got) > 0 {
		t.Errorf("adapters refused: %q", got)
	}
}
