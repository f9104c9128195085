package cli

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// deployDir is the repository's deploy/ folder.
const deployDir = "../../deploy"

// helpFlags runs `salve <command> -h` and returns the flags it lists and
// the help text.
func helpFlags(t *testing.T, command string) (map[string]bool, string) {
	t.Helper()
	r := runCLI(t, nil, command, "-h")
	if r.code != 0 {
		t.Fatalf("salve %s -h: exit %d: %s", command, r.code, r.stderr)
	}
	out := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z0-9-]+)`).FindAllStringSubmatch(r.stdout, -1) {
		out[m[1]] = true
	}
	if len(out) < 10 {
		t.Fatalf("salve %s -h lists %d flags: %s", command, len(out), r.stdout)
	}
	return out, r.stdout
}

// checkArgs checks a command line of salve (without the binary): its
// command exists, each --flag is one `salve <command> -h` lists, and a
// --role is one of the roles. It returns the role.
func checkArgs(t *testing.T, where string, args []string) string {
	t.Helper()
	if len(args) == 0 {
		t.Errorf("%s: no salve command", where)
		return ""
	}
	flags, _ := helpFlags(t, args[0])
	role := ""
	for i, a := range args[1:] {
		if !strings.HasPrefix(a, "--") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if !flags[name] {
			t.Errorf("%s: salve %s has no flag --%s", where, args[0], name)
		}
		if name == "role" && i+2 < len(args) {
			role = args[i+2]
			if !slices.Contains([]string{"all", "storefront", "portal"}, role) {
				t.Errorf("%s: --role %s is not a role", where, role)
			}
		}
	}
	return role
}

// checkEnv checks SALVE_* variable names: each is a setting of the command
// (SALVE_NAME, or SALVE_NAME_FILE for a secret).
func checkEnv(t *testing.T, where, command string, names []string) {
	t.Helper()
	flags, _ := helpFlags(t, command)
	for _, n := range names {
		base := strings.TrimSuffix(n, "_FILE")
		flag := strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(base, "SALVE_")), "_", "-")
		if !strings.HasPrefix(n, "SALVE_") || !flags[flag] {
			t.Errorf("%s: %s names no setting of salve %s", where, n, command)
		}
	}
}

// TestKubernetesManifestsNameRealRolesAndFlags: every manifest under
// deploy/kubernetes parses; the Deployments run salve commands with flags
// and environment settings `salve <command> -h` lists, one storefront and
// one portal Deployment, both non-root on a read-only root filesystem with
// /healthz and /readyz probes; the storefront mounts no PHI credentials and
// no keys; a NetworkPolicy lets only portal pods reach the PHI and audit
// databases.
func TestKubernetesManifestsNameRealRolesAndFlags(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(deployDir, "kubernetes", "*.yaml"))
	if err != nil || len(files) < 4 {
		t.Fatalf("manifests: %v %v", files, err)
	}
	roles := map[string]map[string]any{}
	phiFromPortalOnly := false
	for _, f := range files {
		b, err := os.ReadFile(f) //nolint:gosec // the repository's own files
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var doc map[string]any
			err := dec.Decode(&doc)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			kind, _ := doc["kind"].(string)
			name, _ := dig(doc, "metadata", "name").(string)
			if doc["apiVersion"] == nil || kind == "" || name == "" {
				t.Fatalf("%s: a document without apiVersion, kind or metadata.name", f)
			}
			where := filepath.Base(f) + " " + kind + "/" + name
			switch kind {
			case "Deployment":
				role := checkDeployment(t, where, doc)
				roles[role] = doc
			case "NetworkPolicy":
				sel := dig(doc, "spec", "podSelector", "matchExpressions")
				from := dig(doc, "spec", "ingress")
				if strings.Contains(yamlText(t, sel), "phi") && strings.Contains(yamlText(t, sel), "audit") {
					txt := yamlText(t, from)
					phiFromPortalOnly = strings.Contains(txt, "salve.health/role: portal") && !strings.Contains(txt, "storefront") &&
						!strings.Contains(txt, "namespaceSelector") && !strings.Contains(txt, "ipBlock")
				}
			}
		}
	}
	if roles["storefront"] == nil || roles["portal"] == nil {
		t.Fatalf("want a storefront and a portal Deployment; roles: %v", slices.Collect(mapKeys(roles)))
	}
	front := yamlText(t, roles["storefront"])
	for _, secret := range []string{"PHI_DB", "AUDIT_DB", "kek", "audit-key", "salve-phi", "salve-keys", "ledger"} {
		if strings.Contains(front, secret) {
			t.Errorf("the storefront Deployment mentions %q: it must hold no PHI credentials and no keys", secret)
		}
	}
	if !phiFromPortalOnly {
		t.Error("no NetworkPolicy admits only portal pods to the PHI and audit databases")
	}
}

// checkDeployment checks one Deployment's pod and returns the role its
// serve container runs.
func checkDeployment(t *testing.T, where string, doc map[string]any) string {
	t.Helper()
	pod, _ := dig(doc, "spec", "template", "spec").(map[string]any)
	if dig(pod, "securityContext", "runAsNonRoot") != true {
		t.Errorf("%s: pod not runAsNonRoot", where)
	}
	role := ""
	for _, list := range []string{"initContainers", "containers"} {
		cs, _ := pod[list].([]any)
		for _, c := range cs {
			c, _ := c.(map[string]any)
			cw := where + " " + list + "/" + yamlText(t, c["name"])
			var args []string
			for _, a := range asList(c["args"]) {
				args = append(args, yamlText(t, a))
			}
			if r := checkArgs(t, cw, args); r != "" {
				role = r
			}
			var env []string
			for _, e := range asList(c["env"]) {
				env = append(env, yamlText(t, dig(e, "name")))
			}
			checkEnv(t, cw, args[0], env)
			if dig(c, "securityContext", "readOnlyRootFilesystem") != true || dig(c, "securityContext", "allowPrivilegeEscalation") != false {
				t.Errorf("%s: want readOnlyRootFilesystem and no privilege escalation", cw)
			}
			if list == "containers" && (dig(c, "livenessProbe", "httpGet", "path") != "/healthz" || dig(c, "readinessProbe", "httpGet", "path") != "/readyz") {
				t.Errorf("%s: want probes on /healthz and /readyz", cw)
			}
		}
	}
	if role == "" {
		t.Errorf("%s: its serve command names no --role", where)
	}
	return role
}

// TestDockerfileBuildsTheBinaryAsNonRoot: multi-stage, the Go release of
// go.mod, a static (CGO_ENABLED=0) build of ./cmd/salve, a non-root user in
// the final stage, a command whose flags `salve serve -h` lists.
func TestDockerfileBuildsTheBinaryAsNonRoot(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(deployDir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(b), "\\\n", " ")
	froms := regexp.MustCompile(`(?m)^FROM (\S+)`).FindAllStringSubmatch(text, -1)
	if len(froms) < 2 {
		t.Fatalf("want a multi-stage build, got %d stages", len(froms))
	}
	gomod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goVer := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(string(gomod))
	if goVer == nil || !strings.HasPrefix(froms[0][1], "golang:"+goVer[1]) {
		t.Errorf("build stage %s; go.mod wants Go %v", froms[0][1], goVer)
	}
	if !strings.Contains(text, "CGO_ENABLED=0") || !strings.Contains(text, "./cmd/salve") {
		t.Error("want a static build of ./cmd/salve")
	}
	if _, err := os.Stat("../../cmd/salve"); err != nil {
		t.Fatal(err)
	}
	last := text[strings.LastIndex(text, "\nFROM "):]
	user := regexp.MustCompile(`(?m)^USER (\S+)`).FindStringSubmatch(last)
	if user == nil || user[1] == "root" || strings.HasPrefix(user[1], "0") {
		t.Errorf("final stage runs as %v; want a non-root user", user)
	}
	cmd := regexp.MustCompile(`(?m)^CMD \[(.*)\]`).FindStringSubmatch(text)
	if cmd == nil {
		t.Fatal("no CMD")
	}
	var args []string
	for _, a := range strings.Split(cmd[1], ",") {
		args = append(args, strings.Trim(strings.TrimSpace(a), `"`))
	}
	if checkArgs(t, "Dockerfile CMD", args) == "" {
		t.Error("Dockerfile CMD names no --role")
	}
}

// TestSystemdUnitIsHardenedAndNamesRealFlags: the unit's ExecStart runs
// serve with flags it lists, as a dedicated user, with the hardening options
// and secrets as credentials (SALVE_*_FILE of secret settings); where
// systemd-analyze is installed the unit also passes `systemd-analyze verify`.
func TestSystemdUnitIsHardenedAndNamesRealFlags(t *testing.T) {
	path := filepath.Join(deployDir, "systemd", "salve.service")
	b, err := os.ReadFile(path) //nolint:gosec // the repository's own file
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string][]string{}
	sc := bufio.NewScanner(strings.NewReader(strings.ReplaceAll(string(b), "\\\n", " ")))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "[") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: not key=value: %q", path, line)
		}
		keys[k] = append(keys[k], v)
	}
	for k, want := range map[string]string{"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
		"PrivateTmp": "yes", "RestrictSUIDSGID": "yes", "UMask": "0077"} {
		if !slices.Contains(keys[k], want) {
			t.Errorf("%s: want %s=%s, have %v", path, k, want, keys[k])
		}
	}
	if u := keys["User"]; len(u) != 1 || u[0] == "root" || u[0] == "" {
		t.Errorf("%s: User=%v; want a dedicated user", path, u)
	}
	if len(keys["LoadCredential"]) == 0 {
		t.Errorf("%s: no LoadCredential= for secrets", path)
	}
	exec0 := strings.Fields(keys["ExecStart"][0])
	if !strings.HasSuffix(exec0[0], "/salve") || checkArgs(t, "ExecStart", exec0[1:]) == "" {
		t.Errorf("%s: ExecStart %v", path, exec0)
	}
	var env []string
	for _, e := range keys["Environment"] {
		n, _, _ := strings.Cut(e, "=")
		if !strings.HasSuffix(n, "_FILE") {
			t.Errorf("%s: %s: secrets come as credentials (SALVE_*_FILE)", path, n)
		}
		env = append(env, n)
	}
	checkEnv(t, path, "serve", env)

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze is not installed: the unit was checked by parsing only")
		return
	}
	// verify needs the executable to exist: the test binary stands in.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	unit := filepath.Join(t.TempDir(), "salve.service")
	if err := os.WriteFile(unit, bytes.ReplaceAll(b, []byte("/usr/local/bin/salve"), []byte(self)), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", unit).CombinedOutput() //nolint:gosec // systemd-analyze from PATH on the test's own file
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// dig walks nested YAML maps.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// asList is a YAML sequence, or nil.
func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// yamlText renders a YAML value as text (a scalar as itself).
func yamlText(t *testing.T, v any) string {
	t.Helper()
	if s, ok := v.(string); ok {
		return s
	}
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
