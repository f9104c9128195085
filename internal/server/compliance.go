package server

import (
	"context"
	"net"
	"runtime/debug"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/backup"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/compliance"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/incidents"
	"github.com/salvehealth/salve/internal/reviews"
	"github.com/salvehealth/salve/internal/store"
)

// Compliance gathers the facts of the compliance report and the data-flow
// diagram from this process's configuration and stores (issue 19). It
// reads no PHI: staff accounts by id, role and second factor only.
type Compliance struct {
	cfg    *config.Config
	stores *Stores
	clock  clock.Clock
	// Integrations are the outbound integrations; the vendor registry
	// replaces ConfiguredIntegrations once it exists.
	Integrations compliance.Integrations
	// Version is the software version reported.
	Version string
	// Reviews are the scheduled reviews, for the overdue check (nil: not
	// tracked by this process).
	Reviews *reviews.Service
}

// NewCompliance returns the compliance source of a process.
func NewCompliance(cfg *config.Config, stores *Stores, c clock.Clock, version string) *Compliance {
	if c == nil {
		c = clock.System{}
	}
	comp := &Compliance{cfg: cfg, stores: stores, clock: c, Integrations: ConfiguredIntegrations{Config: cfg}, Version: version}
	if stores.PHI != nil {
		// The report reads the reviews (salve compliance report too).
		d := reviewsReading(stores)
		d.Clock = c
		comp.Reviews = reviews.New(d)
	}
	return comp
}

// ConfiguredIntegrations lists the integrations the configuration names
// today: the SMTP relay, the payment gateways and the backup targets. Their
// BAAs are "not tracked yet" until the vendor registry holds them.
type ConfiguredIntegrations struct{ Config *config.Config }

// List returns the configured integrations.
func (ci ConfiguredIntegrations) List(context.Context) ([]compliance.Integration, error) {
	cfg := ci.Config
	var out []compliance.Integration
	if cfg.SMTPAddr != "" {
		host, _, _ := net.SplitHostPort(cfg.SMTPAddr)
		// Why PHI: a patient's email address at a health business is PHI,
		// though the bodies carry no health details (DESIGN §2.6).
		out = append(out, compliance.Integration{Name: "SMTP relay (email)", Vendor: "the relay at " + host, Where: cfg.SMTPAddr, CarriesPHI: true,
			BAA: compliance.BAANotTracked, DataClasses: []string{"email addresses", "notices without health details"}})
	}
	for _, g := range cfg.PaymentGateways {
		if g == "stripe" {
			out = append(out, compliance.Integration{Name: "Stripe (payments)", Vendor: "Stripe, Inc.", Where: "api.stripe.com",
				PHIFreeWhy: "order reference and amount only", BAA: compliance.BAANotNeeded, DataClasses: []string{"order reference", "amount"}})
		}
	}
	for _, spec := range cfg.BackupTo {
		where, vendor := spec, "this machine"
		if strings.HasPrefix(spec, "dir:") {
			continue // a directory of this machine is no vendor
		}
		if t, err := backup.ParseTarget(spec, func(string) string { return "" }); err == nil {
			where = t.String()
		}
		if i := strings.Index(where, "://"); i >= 0 {
			vendor = "the storage at " + strings.SplitN(where[i+3:], "/", 2)[0]
		}
		out = append(out, compliance.Integration{Name: "Backup target", Vendor: vendor, Where: where, CarriesPHI: true,
			BAA: compliance.BAANotTracked, DataClasses: []string{"encrypted backups of the three stores"}})
	}
	return out, nil
}

// Topology is the live configuration as the diagram draws it.
func (c *Compliance) Topology(ctx context.Context) (compliance.Topology, error) {
	ins, err := c.Integrations.List(ctx)
	if err != nil {
		return compliance.Topology{}, err
	}
	t := compliance.Topology{Role: string(c.cfg.Role), Addr: c.cfg.Addr, TLS: c.cfg.TLS(), Integrations: ins}
	classes := map[store.Kind][]string{store.Catalog: {"catalog, prices, stock, tenants (no PHI)"},
		store.PHI:   {"accounts, orders, prescriptions, results, messages (PHI sealed per person)"},
		store.Audit: {"audit events (metadata, no PHI)"}}
	for _, db := range []*store.DB{c.stores.Catalog, c.stores.PHI, c.stores.Audit} {
		if db != nil {
			t.Stores = append(t.Stores, compliance.StoreNode{Kind: string(db.Kind()), Engine: string(db.Engine()), Where: db.Where(), DataClasses: classes[db.Kind()]})
		}
	}
	return t, nil
}

// Diagram returns the data-flow diagram as DOT and, when Graphviz is
// installed, SVG (compliance.ErrNoDot otherwise).
func (c *Compliance) Diagram(ctx context.Context) (string, []byte, error) {
	t, err := c.Topology(ctx)
	if err != nil {
		return "", nil, err
	}
	dot := compliance.DOT(t)
	svg, err := compliance.SVG(ctx, dot)
	return dot, svg, err
}

func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Report checks the running system; tenantIDs are the tenants whose staff
// are counted (all of them for the command, the admin's for the page).
func (c *Compliance) Report(ctx context.Context, tenantIDs ...string) (compliance.Report, error) {
	f := compliance.Facts{Now: c.clock.Now(), Version: c.Version, InactiveAfter: c.cfg.StaffInactivity,
		BackupConfigured: len(c.cfg.BackupTo) > 0}
	if c.cfg.Addr != "" {
		f.Listeners = append(f.Listeners, compliance.Listener{Name: "web", Addr: c.cfg.Addr, TLS: c.cfg.TLS(), Loopback: loopbackAddr(c.cfg.Addr)})
	}
	// The redirect listener is left out: it answers every request with a
	// redirect to HTTPS and carries nothing else.
	if c.cfg.MetricsAddr != "" {
		f.Listeners = append(f.Listeners, compliance.Listener{Name: "metrics", Addr: c.cfg.MetricsAddr, Loopback: loopbackAddr(c.cfg.MetricsAddr)})
	}
	if c.stores.PHI != nil {
		users := store.NewUsers(c.stores.PHI)
		for _, tid := range tenantIDs {
			// Only ids, roles, status and whether a second factor is set:
			// no sealed field is opened, so nothing to audit.
			rows, err := users.List(ctx, tid, "", 10000)
			if err != nil {
				return compliance.Report{}, err
			}
			for _, u := range rows {
				if u.Role.Staff() {
					f.Staff = append(f.Staff, compliance.Staff{ID: u.ID, Role: string(u.Role), Status: u.Status, MFA: u.HasSecondFactor(),
						LastLogin: u.LastLoginAt, Created: u.CreatedAt})
				}
			}
		}
	}
	if c.stores.PHI != nil {
		counts, err := incidentCounts(ctx, store.NewIncidents(c.stores.PHI), c.clock.Now(), tenantIDs)
		if err != nil {
			return compliance.Report{}, err
		}
		f.Incidents = &counts
	}
	if c.stores.Vault != nil {
		if st, err := c.stores.Vault.Status(ctx); err == nil {
			for _, v := range st.Versions {
				if v.Primary {
					f.KEKCreated = v.Created
				}
			}
		}
	}
	f.Audit = c.verifyAudit(ctx)
	f.LastBackup, f.LastBackupVerified = c.lastBackup(ctx)
	ins, err := c.Integrations.List(ctx)
	if err != nil {
		return compliance.Report{}, err
	}
	f.Integrations = ins
	if c.Reviews != nil && c.stores.PHI != nil {
		f.ReviewsTracked = true
		for _, tid := range tenantIDs {
			items, err := c.Reviews.Overdue(ctx, tid)
			if err != nil {
				return compliance.Report{}, err
			}
			for _, it := range items {
				f.OverdueReviews = append(f.OverdueReviews, it.Kind.Title())
			}
			last, err := c.Reviews.Last(ctx, tid, reviews.RestoreDrill)
			if err != nil {
				return compliance.Report{}, err
			}
			if last.After(f.LastRestoreDrill) {
				f.LastRestoreDrill = last
			}
		}
	}
	return compliance.Evaluate(f), nil
}

// verifyAudit walks the audit chain against the signed checkpoints now.
func (c *Compliance) verifyAudit(ctx context.Context) compliance.AuditCheck {
	if c.stores.Audit == nil || c.stores.AuditLog == nil {
		return compliance.AuditCheck{}
	}
	rep, err := audit.Verify(ctx, store.NewAuditEvents(c.stores.Audit), audit.NewFileSink(c.cfg.AuditCheckpointPath()), c.stores.AuditLog.PublicKey())
	if err != nil {
		return compliance.AuditCheck{Err: err.Error()}
	}
	return compliance.AuditCheck{At: c.clock.Now(), OK: rep.OK, Events: rep.Events, Problem: rep.Problem, Verified: true}
}

// lastBackup is the newest complete backup on the configured targets.
func (c *Compliance) lastBackup(ctx context.Context) (time.Time, bool) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	creds := map[string]string{"AWS_ACCESS_KEY_ID": c.cfg.BackupS3AccessKey, "AWS_SECRET_ACCESS_KEY": c.cfg.BackupS3SecretKey}
	var newest time.Time
	verified := false
	for _, spec := range c.cfg.BackupTo {
		t, err := backup.ParseTarget(spec, func(k string) string { return creds[k] })
		if err != nil {
			continue
		}
		entries, err := backup.List(ctx, t)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if e.Complete && e.Created.After(newest) {
				newest, verified = e.Created, e.Verified
			}
		}
	}
	return newest, verified
}

// BuildVersion names this build: module version and commit when known
// (what the change log records at each start).
func BuildVersion() string {
	v, rev := "(devel)", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = " " + s.Value[:12]
			}
		}
	}
	return "salve " + v + rev
}

// incidentCounts counts the open incidents of the tenants, and the breaches
// among them whose notices are past their deadline. Only the register's own
// columns are read (dates, conclusions, counts): no sealed list is opened.
func incidentCounts(ctx context.Context, q *store.Incidents, now time.Time, tenantIDs []string) (compliance.IncidentCounts, error) {
	var out compliance.IncidentCounts
	for _, tid := range tenantIDs {
		list, err := q.List(ctx, tid)
		if err != nil {
			return out, err
		}
		for _, inc := range list {
			if inc.Status != incidents.Open {
				continue
			}
			out.Open++
			if inc.Assessment.Conclusion != incidents.LowProbability && incidents.Obligate(inc.DiscoveredOn, inc.ByState, inc.NotifiedAt, now).Overdue {
				out.Overdue++
			}
		}
	}
	return out, nil
}
