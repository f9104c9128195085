// Package compliance checks the running system for the compliance officer:
// the report (TLS on every listener, MFA for every staff member, key age,
// the audit log's verification, backups, inactive accounts, BAAs, reviews
// and incidents), the map from each HIPAA Security Rule implementation
// specification to the feature that meets it and the test that proves it,
// the data-flow diagram drawn from the live configuration, and the SBOM of
// the binary. It reads facts gathered by the composition root (Facts); it
// holds no PHI: staff appear by id and role, stores by engine and host.
package compliance

import (
	"fmt"
	"strings"
	"time"
)

// Status is how a check came out.
type Status string

// The statuses of a check.
const (
	OK         Status = "ok"
	Warning    Status = "warning"
	Fail       Status = "fail"
	NotTracked Status = "not tracked yet" // a later feature fills it; said honestly
)

// Check is one line of the report.
type Check struct {
	ID, Title string
	// Required checks fail the report (and the command's exit status).
	Required bool
	Status   Status
	Detail   string
}

// Report is the compliance report.
type Report struct {
	GeneratedAt time.Time
	Version     string
	Checks      []Check
	Map         []Spec
}

// Failed lists the required checks that failed.
func (r Report) Failed() []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.Required && c.Status == Fail {
			out = append(out, c)
		}
	}
	return out
}

// Listener is one address the process serves on.
type Listener struct {
	Name, Addr string
	TLS        bool
	// Loopback listeners may go without TLS (DESIGN.md §2.3).
	Loopback bool
}

// Staff is one staff account as the report needs it (no name, no email).
type Staff struct {
	ID, Role, Status string
	MFA              bool
	LastLogin        time.Time
	Created          time.Time
}

// AuditCheck is the result of verifying the audit log's chain.
type AuditCheck struct {
	At       time.Time
	OK       bool
	Events   int64
	Problem  string
	Verified bool // false: not run (no key, or skipped)
	Err      string
}

// Facts are what the report checks, gathered from the running system.
type Facts struct {
	Now       time.Time
	Version   string
	Listeners []Listener
	Staff     []Staff
	// InactiveAfter is the staff inactivity limit (the job disables after).
	InactiveAfter time.Duration
	// KEKCreated is when the primary key-encryption key was made (zero:
	// unknown, e.g. a process without the key).
	KEKCreated time.Time
	Audit      AuditCheck
	// Backups: whether scheduled backups are configured, and the newest
	// complete one found on the targets (zero: none).
	BackupConfigured   bool
	LastBackup         time.Time
	LastBackupVerified bool
	Integrations       []Integration
	// Incidents are the incident register's counts; nil: not gathered
	// (a process without the PHI store).
	Incidents *IncidentCounts
	// ReviewsTracked: the scheduled reviews are kept (internal/reviews);
	// OverdueReviews names each overdue one by its kind's title (a staff
	// account's recertification once per account).
	ReviewsTracked bool
	OverdueReviews []string
	// LastRestoreDrill is the newest restore drill recorded as a scheduled
	// review (zero: none; read only when ReviewsTracked).
	LastRestoreDrill time.Time
}

// IncidentCounts are the register's counts for the report: no details
// (admins read the report too).
type IncidentCounts struct {
	// Open incidents, and among them breaches whose notices are past the
	// 60-day deadline and not sent.
	Open, Overdue int
}

// RestoreDrillMaxAge is how old the last restore drill may be (the
// scheduled review's period).
const RestoreDrillMaxAge = 90 * 24 * time.Hour

// The limits the checks apply.
const (
	KEKMaxAge       = 365 * 24 * time.Hour
	BackupMaxAge    = 26 * time.Hour
	AuditVerifyDays = 7
)

// Evaluate checks the facts and returns the report with the HIPAA map.
func Evaluate(f Facts) Report {
	r := Report{GeneratedAt: f.Now, Version: f.Version, Map: Specs()}
	r.Checks = append(r.Checks, checkTLS(f), checkMFA(f), checkKEK(f), checkAudit(f), checkBackup(f),
		checkRestoreDrill(f),
		checkInactive(f), checkBAAs(f),
		checkReviews(f),
		checkIncidents(f))
	return r
}

func checkTLS(f Facts) Check {
	c := Check{ID: "tls", Title: "TLS on every listener", Required: true, Status: OK}
	var plain []string
	for _, l := range f.Listeners {
		if !l.TLS && !l.Loopback {
			plain = append(plain, l.Name+" ("+l.Addr+")")
		}
	}
	switch {
	case len(f.Listeners) == 0:
		c.Status, c.Detail = NotTracked, "This command serves nothing; run it with the server's settings to check its listeners."
	case len(plain) > 0:
		c.Status, c.Detail = Fail, fmt.Sprintf("Without TLS and not on loopback: %v. Set --tls-cert/--tls-key or --acme-domains.", plain)
	default:
		c.Detail = fmt.Sprintf("%d listener(s): each has TLS or listens on loopback only.", len(f.Listeners))
	}
	return c
}

func checkMFA(f Facts) Check {
	c := Check{ID: "mfa", Title: "MFA for 100 % of staff", Required: true, Status: OK}
	active, without := 0, 0
	for _, s := range f.Staff {
		if s.Status == "disabled" {
			continue
		}
		active++
		// An invited account cannot sign in before it enrols a second
		// factor; it still counts, since it is not yet covered.
		if !s.MFA {
			without++
		}
	}
	switch {
	case active == 0:
		c.Detail = "No active staff accounts."
	case without > 0:
		c.Status = Fail
		c.Detail = fmt.Sprintf("%d of %d active staff accounts have no second factor (%d %%). They are made to enrol at their next sign-in; disable accounts nobody uses.",
			without, active, 100*(active-without)/active)
	default:
		c.Detail = fmt.Sprintf("All %d active staff accounts have a second factor.", active)
	}
	return c
}

func checkKEK(f Facts) Check {
	c := Check{ID: "kek-age", Title: "Key-encryption key age", Status: OK}
	if f.KEKCreated.IsZero() {
		c.Status, c.Detail = NotTracked, "This process holds no key-encryption key."
		return c
	}
	age := f.Now.Sub(f.KEKCreated)
	c.Detail = fmt.Sprintf("The primary key is %d days old (rotate yearly: salve keys rotate).", int(age.Hours()/24))
	if age > KEKMaxAge {
		c.Status = Warning
	}
	return c
}

func checkAudit(f Facts) Check {
	c := Check{ID: "audit-verify", Title: "Audit log verification", Required: true}
	switch {
	case f.Audit.Err != "":
		c.Status, c.Detail = Fail, "The audit log could not be verified: "+f.Audit.Err
	case !f.Audit.Verified:
		c.Status, c.Detail = Warning, "Not verified by this report; run salve audit verify."
	case !f.Audit.OK:
		c.Status, c.Detail = Fail, "The audit log is NOT intact: "+f.Audit.Problem
	default:
		c.Status = OK
		c.Detail = fmt.Sprintf("Verified %s: %d events intact against the signed checkpoints.", f.Audit.At.UTC().Format(time.RFC3339), f.Audit.Events)
	}
	return c
}

func checkBackup(f Facts) Check {
	c := Check{ID: "backup-age", Title: "Backup age", Required: true}
	switch {
	case !f.BackupConfigured:
		c.Status, c.Detail = Fail, "No scheduled backups are configured (--backup-to)."
	case f.LastBackup.IsZero():
		c.Status, c.Detail = Fail, "Backups are configured, but no complete backup was found on the targets."
	case f.Now.Sub(f.LastBackup) > BackupMaxAge:
		c.Status, c.Detail = Fail, fmt.Sprintf("The newest backup is from %s, more than a day ago.", f.LastBackup.UTC().Format(time.RFC3339))
	default:
		c.Status = OK
		c.Detail = "The newest backup is from " + f.LastBackup.UTC().Format(time.RFC3339)
		if f.LastBackupVerified {
			c.Detail += ", verified."
		} else {
			c.Detail += ", not verified yet (salve backup verify)."
		}
	}
	return c
}

func checkInactive(f Facts) Check {
	c := Check{ID: "inactive-accounts", Title: "Inactive staff accounts", Status: OK}
	if f.InactiveAfter <= 0 {
		c.Status, c.Detail = Warning, "No inactivity limit is set; unused staff accounts stay enabled."
		return c
	}
	n := 0
	for _, s := range f.Staff {
		last := s.LastLogin
		if last.IsZero() {
			last = s.Created
		}
		if s.Status != "disabled" && !last.IsZero() && f.Now.Sub(last) > f.InactiveAfter {
			n++
		}
	}
	c.Detail = fmt.Sprintf("None unused for more than %d days.", int(f.InactiveAfter.Hours()/24))
	if n > 0 {
		c.Status = Warning
		c.Detail = fmt.Sprintf("%d enabled staff account(s) unused for more than %d days; the daily job disables them.", n, int(f.InactiveAfter.Hours()/24))
	}
	return c
}

func checkBAAs(f Facts) Check {
	c := Check{ID: "baas", Title: "BAAs current for integrations carrying PHI", Required: true, Status: OK}
	var missing, untracked []string
	for _, in := range f.Integrations {
		if !in.CarriesPHI {
			continue
		}
		switch in.BAA {
		case BAACurrent:
		case BAANotTracked:
			untracked = append(untracked, in.Name)
		default:
			missing = append(missing, in.Name+" ("+string(in.BAA)+")")
		}
	}
	switch {
	case len(missing) > 0:
		c.Status, c.Detail = Fail, fmt.Sprintf("No current BAA: %v.", missing)
	case len(untracked) > 0:
		c.Status, c.Detail = NotTracked, fmt.Sprintf("No vendor registry yet to hold the BAAs of: %v. Keep the signed BAAs on file.", untracked)
	default:
		c.Detail = "Every integration carrying PHI has a current BAA, or none carries PHI."
	}
	return c
}

// checkIncidents reports the open incidents, and warns of breaches whose
// notices are overdue (164.404(b): 60 days from discovery).
func checkIncidents(f Facts) Check {
	c := Check{ID: "incidents", Title: "Open incidents", Status: OK}
	switch {
	case f.Incidents == nil:
		c.Status, c.Detail = NotTracked, "The incident register is not read by this process (it has no PHI store); open the Incidents page."
	case f.Incidents.Overdue > 0:
		c.Status, c.Detail = Warning, fmt.Sprintf("%d open; the notices of %d breaches are past their 60-day deadline: send them now (Incidents).",
			f.Incidents.Open, f.Incidents.Overdue)
	case f.Incidents.Open > 0:
		c.Detail = fmt.Sprintf("%d open, none past its deadline.", f.Incidents.Open)
	default:
		c.Detail = "No open incidents."
	}
	return c
}

func checkReviews(f Facts) Check {
	c := Check{ID: "reviews", Title: "Overdue reviews", Status: OK}
	if !f.ReviewsTracked {
		c.Status, c.Detail = NotTracked, "This process does not keep the scheduled reviews (no PHI store); see Scheduled reviews."
		return c
	}
	if len(f.OverdueReviews) == 0 {
		c.Detail = "No scheduled review is overdue."
		return c
	}
	counts := map[string]int{}
	var order []string
	for _, t := range f.OverdueReviews {
		if counts[t] == 0 {
			order = append(order, t)
		}
		counts[t]++
	}
	parts := make([]string, 0, len(order))
	for _, t := range order {
		parts = append(parts, fmt.Sprintf("%s (%d)", t, counts[t]))
	}
	c.Status = Warning
	c.Detail = "Overdue: " + strings.Join(parts, ", ") + ". See Scheduled reviews (/admin/compliance/reviews)."
	return c
}

func checkRestoreDrill(f Facts) Check {
	c := Check{ID: "restore-drill", Title: "Last restore drill", Status: OK}
	switch {
	case !f.ReviewsTracked:
		c.Status, c.Detail = NotTracked, "This process does not keep the scheduled reviews; record restore drills on Scheduled reviews."
	case f.LastRestoreDrill.IsZero():
		c.Status, c.Detail = Warning, "No restore drill is recorded: restore a backup into scratch stores (salve backup restore) and record it on Scheduled reviews."
	case f.Now.Sub(f.LastRestoreDrill) > RestoreDrillMaxAge:
		c.Status, c.Detail = Warning, "The last restore drill recorded is from "+f.LastRestoreDrill.UTC().Format(time.DateOnly)+", more than 90 days ago."
	default:
		c.Detail = "The last restore drill recorded is from " + f.LastRestoreDrill.UTC().Format(time.DateOnly) + "."
	}
	return c
}
