package incidents

import (
	"context"
	"encoding/csv"
	"io"
	"strings"

	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/tenant"
)

// HHSColumns are the columns of the HHS log export: per breach, the fields
// the HHS breach portal asks for (counts, dates, type, location, safeguards
// and actions), never a name or an account id of a person affected.
var HHSColumns = []string{"incident", "title", "breach start", "breach end", "discovery date", "individuals affected",
	"states (residents)", "type of breach", "location of breached information", "type of information", "report to HHS",
	"individual notice date", "media notice", "risk assessment", "actions taken"}

// HHSLog writes the breaches discovered in a year as CSV, one row per
// breach (the yearly log of 164.408(c), and the same facts for the notices
// of 500 or more). Incidents assessed as a low probability of compromise
// are not breaches and are left out.
func (s *Service) HHSLog(ctx context.Context, tenantID string, year int, w io.Writer) (int, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	list, err := s.List(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Action: "incident.hhs_log", ResourceID: itoa(year)}); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(HHSColumns); err != nil {
		return 0, err
	}
	n := 0
	prefix := itoa(year) + "-"
	for i := len(list) - 1; i >= 0; i-- {
		inc := list[i]
		if inc.Assessment.Conclusion != Breach || !strings.HasPrefix(inc.DiscoveredOn, prefix) {
			continue
		}
		o := s.Obligations(inc)
		report := "yearly log (fewer than 500)"
		if o.HHSNow {
			report = "within 60 days of discovery (500 or more)"
		}
		media := "not required"
		if len(o.MediaStates) > 0 {
			media = "required: " + strings.Join(o.MediaStates, " ")
		}
		notified := ""
		if !inc.NotifiedAt.IsZero() {
			notified = inc.NotifiedAt.UTC().Format(DateLayout)
		}
		start, end := window(inc.Selection)
		row := []string{inc.ID, inc.Title, start, end, inc.DiscoveredOn, itoa(inc.AffectedCount), states(inc.ByState), inc.BreachType,
			strings.Join(inc.Systems, "; "), strings.Join(inc.DataClasses, "; "), report, notified, media,
			"nature: " + inc.Assessment.Nature + " | recipient: " + inc.Assessment.Recipient + " | acquired or viewed: " + inc.Assessment.Acquired,
			inc.Assessment.Mitigation}
		for j := range row {
			row[j] = cell(row[j])
		}
		if err := cw.Write(row); err != nil {
			return n, err
		}
		n++
	}
	cw.Flush()
	return n, cw.Error()
}

// cell keeps a value from being read as a formula by a spreadsheet (CSV
// injection: a cell starting with = + - @ or a control character).
func cell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// window returns the breach window of a selection's description.
func window(sel string) (string, string) {
	i := strings.Index(sel, " from ")
	j := strings.Index(sel, " to ")
	if i < 0 || j < i {
		return "", ""
	}
	return strings.TrimSpace(sel[i+6 : j]), strings.TrimSuffix(strings.TrimSpace(sel[j+4:]), " UTC")
}

func states(by map[string]int) string {
	var parts []string
	for _, st := range sortedKeys(by) {
		name := st
		if st == "" {
			name = "not on file"
		}
		parts = append(parts, name+" "+itoa(by[st]))
	}
	return strings.Join(parts, "; ")
}
