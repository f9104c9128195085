package compliance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// BAA is where an integration's business associate agreement stands.
type BAA string

// The BAA states.
const (
	BAACurrent    BAA = "current"
	BAAMissing    BAA = "missing"
	BAAExpired    BAA = "expired"
	BAANotTracked BAA = "not tracked yet"
	BAANotNeeded  BAA = "not needed"
)

// Integration is one outbound integration as the diagram and the report
// see it.
type Integration struct {
	// Name is what it is (the SMTP relay, Stripe, a backup target);
	// Vendor who runs it; Where its host (never credentials).
	Name, Vendor, Where string
	CarriesPHI          bool
	// PHIFreeWhy says why an integration carries no PHI.
	PHIFreeWhy string
	BAA        BAA
	// DataClasses are what flows to it.
	DataClasses []string
}

// Integrations lists the configured integrations. The vendor registry
// (issue 19, item 1) implements it with real BAA dates; until then the
// composition root lists what the configuration names.
type Integrations interface {
	List(ctx context.Context) ([]Integration, error)
}

// StoreNode is one of the three stores: its engine and where it lives.
type StoreNode struct {
	Kind, Engine, Where string
	// DataClasses are what it holds.
	DataClasses []string
}

// Topology is the live configuration the diagram is drawn from.
type Topology struct {
	// Role is this process's role (all, portal, storefront); Addr where it
	// listens; TLS whether it terminates TLS.
	Role, Addr   string
	TLS          bool
	Stores       []StoreNode
	Integrations []Integration
}

// quote makes s a DOT quoted string.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// DOT draws the topology as a Graphviz digraph: who talks to whom and which
// data classes flow along each edge.
func DOT(t Topology) string {
	var b strings.Builder
	b.WriteString("digraph salve {\n\tgraph [rankdir=LR, fontname=\"Helvetica\", label=\"Salve data flow (generated from the live configuration)\"];\n")
	b.WriteString("\tnode [shape=box, fontname=\"Helvetica\"];\n\tedge [fontname=\"Helvetica\", fontsize=10];\n")
	b.WriteString("\tpeople [label=" + quote("Patients, staff and API clients\n(browsers, apps)") + ", shape=ellipse];\n")
	tls := "TLS"
	if !t.TLS {
		tls = "no TLS (loopback or a TLS proxy in front)"
	}
	b.WriteString("\tsalve [label=" + quote(fmt.Sprintf("salve serve\nrole: %s\nlistens: %s", t.Role, t.Addr)) + "];\n")
	b.WriteString("\tpeople -> salve [label=" + quote("HTTPS pages and API: "+tls) + "];\n")
	for _, s := range t.Stores {
		n := "store_" + s.Kind
		b.WriteString("\t" + n + " [shape=cylinder, label=" + quote(fmt.Sprintf("%s store\n%s\n%s", s.Kind, s.Engine, s.Where)) + "];\n")
		b.WriteString("\tsalve -> " + n + " [dir=both, label=" + quote(strings.Join(s.DataClasses, ", ")) + "];\n")
	}
	for i, in := range t.Integrations {
		n := fmt.Sprintf("integration_%d", i)
		phi := "carries PHI"
		if !in.CarriesPHI {
			phi = "no PHI"
			if in.PHIFreeWhy != "" {
				phi += ": " + in.PHIFreeWhy
			}
		}
		b.WriteString("\t" + n + " [shape=component, label=" + quote(fmt.Sprintf("%s\nvendor: %s\n%s\nBAA: %s\n%s", in.Name, in.Vendor, in.Where, in.BAA, phi)) + "];\n")
		b.WriteString("\tsalve -> " + n + " [label=" + quote(strings.Join(in.DataClasses, ", ")) + "];\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// ErrNoDot means Graphviz is not installed; the DOT text still serves.
var ErrNoDot = errors.New("graphviz dot is not installed (apt-get install graphviz); the DOT text is given instead")

// SVG renders DOT text with Graphviz's dot, at most 20 seconds.
func SVG(ctx context.Context, dot string) ([]byte, error) {
	path, err := exec.LookPath("dot")
	if err != nil {
		return nil, ErrNoDot
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	// Why exec is safe: a fixed program and arguments; the configuration
	// reaches dot only on stdin, as quoted DOT strings.
	cmd := exec.CommandContext(ctx, path, "-Tsvg") //nolint:gosec // see above
	cmd.Stdin = strings.NewReader(dot)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("graphviz dot: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return out.Bytes(), nil
}
