package portal

import (
	"html"
	"html/template"
	"net/http"
	"strings"

	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// resultsData is a patient's released lab reports.
type resultsData struct {
	Reports []resultRow
	New     int
	// For is the patient acted for (a proxy's view); empty for one's own.
	For string
}

// resultRow is one report in the list, with its badge.
type resultRow struct {
	*labs.Report
	Badge string
	Tone  portal.Tone
}

// listResults renders GET /account/results: the signed-in patient's
// released reports, new ones marked; with ?for={id}, those of a person who
// granted them the clinical records (a proxy). Another patient's id without
// that grant is the same 404 as a missing page. One statement, one audited
// vault access.
func (h *Handlers) listResults(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	patient := sess.UserID
	d := resultsData{}
	if f := r.URL.Query().Get("for"); f != "" && f != sess.UserID {
		patient, d.For = f, f
	}
	reps, _, fresh, err := h.labs.List(r.Context(), tenant.FromContext(r.Context()).ID, patient, labs.ListLimit)
	if err != nil {
		return err
	}
	d.New = fresh
	for _, rep := range reps {
		b, t := labs.Badge(rep)
		d.Reports = append(d.Reports, resultRow{Report: rep, Badge: b, Tone: t})
	}
	return h.render(w, r, h.pages.results, http.StatusOK, "Lab results", d)
}

// ResultList is the page's list of reports (results.html), written here
// rather than in the template. Why: html/template reaches every field
// through reflection and calls its escapers through reflect.Value.Call, a
// fifth of the page's CPU. The markup is the template's; every value is
// escaped with html.EscapeString (attributes are quoted), and a report id
// goes into its link only as an escaped path segment of ours.
func (d resultsData) ResultList() template.HTML {
	var b strings.Builder
	b.Grow(64 + 256*len(d.Reports))
	b.WriteString(`<ul class="result-list">`)
	for _, r := range d.Reports {
		b.WriteString("\n    <li class=\"result-item\">\n      <a href=\"/account/results/" + html.EscapeString(r.ID) + "\">" + html.EscapeString(r.Panel) +
			"</a>\n      <span class=\"muted\">collected " + r.CollectedAt.Format("2 Jan 2006") + "</span>")
		if r.Badge != "" {
			b.WriteString(` <span class="badge`)
			switch r.Tone {
			case portal.ToneBad:
				b.WriteString(" flag-critical")
			case portal.ToneWarn:
				b.WriteString(" flag-out")
			case portal.ToneGood:
				b.WriteString(" flag-new")
			}
			b.WriteString(`">` + html.EscapeString(r.Badge) + `</span>`)
		}
		b.WriteString("\n    </li>")
	}
	b.WriteString("\n  </ul>")
	return template.HTML(b.String()) //nolint:gosec // every value above is escaped (see the doc comment)
}
