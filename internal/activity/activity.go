// Package activity is the review of audit activity for the compliance
// officer (issue 19, item 6; HIPAA 164.308(a)(1)(ii)(D)): from the audit
// events of a period it lists unusual access. A staff member who opened far
// more patients' records than the peers of their role, access outside
// working hours, access to a colleague's own record (a staff member who is
// also a patient), repeated denials, and every break-glass access. Each
// finding names the actor by role and id and the window of the events
// behind it, so the page can link to exactly those events.
//
// Analyze is a pure function over audit records; it opens no PHI (events
// hold ids and machine text only).
package activity

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
)

// Rule names a kind of finding.
type Rule string

// The rules.
const (
	ManyPatients Rule = "many-patients" // far more patients than peers of the role
	OffHours     Rule = "off-hours"     // access outside working hours
	Colleague    Rule = "colleague"     // a colleague's own record
	Denials      Rule = "denials"       // repeated denials
	BreakGlass   Rule = "break-glass"   // emergency access
)

// Title is the rule as the report names it.
func (r Rule) Title() string {
	return map[Rule]string{ManyPatients: "Far more patients than peers", OffHours: "Access outside working hours",
		Colleague: "A colleague's own record", Denials: "Repeated denials", BreakGlass: "Break-glass access"}[r]
}

// Options are the thresholds of the rules.
type Options struct {
	// Zone is the working hours' time zone (UTC when nil); WorkStart and
	// WorkEnd the hours (WorkStart <= hour < WorkEnd, Monday to Friday).
	Zone               *time.Location
	WorkStart, WorkEnd int
	// PeerFactor and MinPatients: a staff member is flagged who opened
	// at least MinPatients patients and more than PeerFactor times the
	// median of the other members of their role.
	PeerFactor  float64
	MinPatients int
	// MinDenials denials of one actor make a finding.
	MinDenials int
	// Colleagues are the subject ids that are colleagues' own records
	// (staff accounts, and patient accounts of people who are also staff),
	// mapped to the staff account they belong to.
	Colleagues map[string]string
}

// Defaults are the thresholds used when an option is zero.
func Defaults() Options {
	return Options{Zone: time.UTC, WorkStart: 7, WorkEnd: 19, PeerFactor: 3, MinPatients: 10, MinDenials: 5}
}

// Finding is one line of the report.
type Finding struct {
	Rule      Rule
	ActorID   string
	ActorRole access.Role
	// Subject is the colleague whose record was opened (Colleague).
	Subject string
	// Count is how many events (or patients, for ManyPatients) the line
	// stands for; PeerMedian the role's median (ManyPatients).
	Count      int
	PeerMedian float64
	// From and To bound the events behind the finding: From <= t < To.
	From, To time.Time
	Detail   string
}

// staffAccess reports whether an event is a staff member's allowed access
// to people's records.
func staffAccess(r audit.Record) bool {
	return r.Outcome == audit.Allowed && r.ActorRole.Staff() && len(people(r)) > 0
}

// people are the subjects of an event that are people: records of other
// things (a vendor's document, a review's evidence) are sealed under
// "kind:id" subjects and left out.
func people(r audit.Record) []string {
	var out []string
	for _, s := range r.Subjects {
		if s != "" && !strings.Contains(s, ":") {
			out = append(out, s)
		}
	}
	return out
}

// window grows a finding's bounds to hold t.
func (f *Finding) window(t time.Time) {
	if f.From.IsZero() || t.Before(f.From) {
		f.From = t
	}
	if end := t.Add(time.Microsecond); end.After(f.To) {
		f.To = end
	}
}

// Analyze returns the findings of the records, by rule, then by count,
// largest first.
func Analyze(recs []audit.Record, o Options) []Finding {
	d := Defaults()
	if o.Zone == nil {
		o.Zone = d.Zone
	}
	if o.WorkEnd == 0 {
		o.WorkStart, o.WorkEnd = d.WorkStart, d.WorkEnd
	}
	if o.PeerFactor == 0 {
		o.PeerFactor = d.PeerFactor
	}
	if o.MinPatients == 0 {
		o.MinPatients = d.MinPatients
	}
	if o.MinDenials == 0 {
		o.MinDenials = d.MinDenials
	}
	type actorKey struct {
		id   string
		role access.Role
	}
	patients := map[actorKey]map[string]bool{}
	spans := map[actorKey]*Finding{}
	off := map[string]*Finding{}
	colleague := map[[2]string]*Finding{}
	denied := map[string]*Finding{}
	var out []Finding
	for _, r := range recs {
		k := actorKey{r.ActorID, r.ActorRole}
		if r.Outcome == audit.Denied && r.ActorID != "" && !strings.HasPrefix(r.ActorID, "system:") {
			f := denied[r.ActorID]
			if f == nil {
				f = &Finding{Rule: Denials, ActorID: r.ActorID, ActorRole: r.ActorRole}
				denied[r.ActorID] = f
			}
			f.Count++
			f.window(r.Time)
		}
		if r.Action == "break_glass.start" && r.Outcome == audit.Allowed {
			f := Finding{Rule: BreakGlass, ActorID: r.ActorID, ActorRole: r.ActorRole, Count: 1,
				Detail: "Emergency access to a patient's record: check that its reason was reviewed (Break-glass review)."}
			// The events behind it: the hour of access that follows.
			f.window(r.Time)
			f.To = r.Time.Add(time.Hour)
			out = append(out, f)
		}
		if !staffAccess(r) {
			continue
		}
		if patients[k] == nil {
			patients[k] = map[string]bool{}
			spans[k] = &Finding{}
		}
		for _, s := range people(r) {
			patients[k][s] = true
			if owner, ok := o.Colleagues[s]; ok && owner != r.ActorID {
				ck := [2]string{r.ActorID, s}
				f := colleague[ck]
				if f == nil {
					f = &Finding{Rule: Colleague, ActorID: r.ActorID, ActorRole: r.ActorRole, Subject: s}
					colleague[ck] = f
				}
				f.Count++
				f.window(r.Time)
			}
		}
		spans[k].window(r.Time)
		local := r.Time.In(o.Zone)
		if wd := local.Weekday(); wd == time.Saturday || wd == time.Sunday || local.Hour() < o.WorkStart || local.Hour() >= o.WorkEnd {
			f := off[r.ActorID]
			if f == nil {
				f = &Finding{Rule: OffHours, ActorID: r.ActorID, ActorRole: r.ActorRole}
				off[r.ActorID] = f
			}
			f.Count++
			f.window(r.Time)
		}
	}
	// Far more patients than the peers of the same role.
	byRole := map[access.Role][]int{}
	for k, ps := range patients {
		byRole[k.role] = append(byRole[k.role], len(ps))
	}
	for k, ps := range patients {
		n := len(ps)
		if n < o.MinPatients {
			continue
		}
		others := slices.Clone(byRole[k.role])
		others = slices.Delete(others, slices.Index(others, n), slices.Index(others, n)+1)
		med := median(others)
		if float64(n) > o.PeerFactor*med {
			f := *spans[k]
			f.Rule, f.ActorID, f.ActorRole, f.Count, f.PeerMedian = ManyPatients, k.id, k.role, n, med
			f.Detail = fmt.Sprintf("%d patients' records opened; the median of the other %d %s account(s) is %.0f.", n, len(others), k.role, med)
			out = append(out, f)
		}
	}
	for _, f := range off {
		f.Detail = fmt.Sprintf("%d access(es) to patients' records outside %02d:00–%02d:00 %s, Monday to Friday.", f.Count, o.WorkStart, o.WorkEnd, o.Zone)
		out = append(out, *f)
	}
	for _, f := range colleague {
		f.Detail = fmt.Sprintf("%d access(es) to the record of a colleague (staff account %s).", f.Count, short(o.Colleagues[f.Subject]))
		out = append(out, *f)
	}
	for _, f := range denied {
		if f.Count >= o.MinDenials {
			f.Detail = fmt.Sprintf("%d denied attempts.", f.Count)
			out = append(out, *f)
		}
	}
	order := map[Rule]int{BreakGlass: 0, Colleague: 1, ManyPatients: 2, Denials: 3, OffHours: 4}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Rule != out[j].Rule {
			return order[out[i].Rule] < order[out[j].Rule]
		}
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].From.Before(out[j].From)
	})
	return out
}

// median of counts; 0 for none (a role of one: anyone over MinPatients
// stands out, since there is no peer to compare with).
func median(xs []int) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return float64(s[m])
	}
	return float64(s[m-1]+s[m]) / 2
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
