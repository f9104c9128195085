package portal

import (
	"html"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/devices"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// readingsData is the chart page of one type of reading.
type readingsData struct {
	S       *devices.Series
	Periods []devices.Period
	// Advice is the tenant's text about alerts; shown when a reading in
	// the period raised one.
	Advice string
	// For is the patient acted for (a proxy's view); empty for one's own.
	For string
	// TrendRows and DailyRows are the tables' rows as HTML, written once
	// here (why not ranged over in the template: a quarter is 270 rows,
	// and html/template's escaper calls, one per cell through reflection,
	// were most of the page's cost once the readings came from summaries).
	TrendRows, DailyRows template.HTML
}

// readingRow is one row of a chart's table: data attributes for the chart
// (At, Value, Value2) and the cells people read.
type readingRow struct {
	At, Value, Value2 string
	Head, Text, Flag  string
	Min, Max, Count   string
}

// seriesFor reads the type, period and patient of a readings request and
// opens the series (with every reading when all is set, for the CSV;
// otherwise from day summaries): the signed-in patient's, or with ?for={id} those of a
// person who granted them the device readings (a proxy; without the grant,
// the same 404 as a missing page).
func (h *Handlers) seriesFor(r *http.Request, all bool) (*devices.Series, string, error) {
	sess, err := web.Session(r)
	if err != nil {
		return nil, "", err
	}
	t, ok := devices.ParseType(r.PathValue("type"))
	if !ok {
		return nil, "", apperr.NotFoundError()
	}
	patient, forID := sess.UserID, ""
	if f := r.URL.Query().Get("for"); f != "" && f != sess.UserID {
		patient, forID = f, f
	}
	open := h.devices.Series
	if all {
		open = h.devices.SeriesReadings
	}
	s, err := open(r.Context(), tenant.FromContext(r.Context()).ID, patient, t, devices.ParsePeriod(r.URL.Query().Get("period")))
	return s, forID, err
}

// showReadings renders GET /account/devices/readings/{type}?period=: the
// latest value, a trend line, daily bars and time in range, each chart
// with its table (what screen readers and people without JavaScript read;
// the charts are drawn from the tables by js/devices.js). Why the type in
// the path: it is one of six fixed words naming a kind of measurement, never
// a value, and the access log records the route pattern, not the path.
func (h *Handlers) showReadings(w http.ResponseWriter, r *http.Request) error {
	s, forID, err := h.seriesFor(r, false)
	if err != nil {
		return err
	}
	d := readingsData{S: s, Periods: devices.Periods, For: forID}
	label := "2 Jan 15:04"
	if s.Period == devices.Day {
		label = "15:04"
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	trend := make([]readingRow, 0, len(s.Trend))
	for _, p := range s.Trend {
		trend = append(trend, readingRow{At: p.At.Format(label), Value: f(p.Value), Value2: f(p.Value2),
			Head: p.At.Format("2 Jan 15:04"), Text: p.Text(s.Type), Flag: p.Flag.Label()})
	}
	daily := make([]readingRow, 0, len(s.Daily))
	for _, x := range s.Daily {
		daily = append(daily, readingRow{At: x.Day, Value: f(x.Value), Head: x.Day, Text: x.Text(s.Type),
			Min: s.Fmt(x.Min), Max: s.Fmt(x.Max), Count: strconv.Itoa(x.Count)})
	}
	d.TrendRows, d.DailyRows = trendRows(trend), dailyRows(daily)
	if len(s.Flagged) > 0 {
		d.Advice = h.devices.Advice(r.Context(), tenant.FromContext(r.Context()).ID)
	}
	return h.render(w, r, h.pages.readings, http.StatusOK, s.Type.Label(), d)
}

// esc escapes a cell for HTML text or a quoted attribute.
//
// Why by hand and safe: every cell passes through it (html.EscapeString
// escapes <, >, &, ' and "), and each lands in element text or in a
// double-quoted attribute, the two contexts that escaping covers; no cell
// goes into a URL, a script or a style.
func esc(b *strings.Builder, s string) { b.WriteString(html.EscapeString(s)) }

// trendRows writes the trend table's rows (the markup the template wrote
// before).
func trendRows(rows []readingRow) template.HTML {
	var b strings.Builder
	b.Grow(len(rows) * 220)
	for _, r := range rows {
		b.WriteString("\n        <tr data-at=\"")
		esc(&b, r.At)
		b.WriteString(`" data-value="`)
		esc(&b, r.Value)
		b.WriteString(`" data-value2="`)
		esc(&b, r.Value2)
		b.WriteString(`"><th scope="row" data-label="Time">`)
		esc(&b, r.Head)
		b.WriteString(`</th><td class="num" data-label="Value">`)
		esc(&b, r.Text)
		b.WriteString(`</td><td data-label="Flag">`)
		esc(&b, r.Flag)
		b.WriteString(`</td></tr>`)
	}
	return template.HTML(b.String()) //nolint:gosec // every cell escaped by esc (see there)
}

// dailyRows writes the daily table's rows.
func dailyRows(rows []readingRow) template.HTML {
	var b strings.Builder
	b.Grow(len(rows) * 300)
	for _, r := range rows {
		b.WriteString("\n      <tr data-at=\"")
		esc(&b, r.At)
		b.WriteString(`" data-value="`)
		esc(&b, r.Value)
		b.WriteString(`"><th scope="row" data-label="Day">`)
		esc(&b, r.Head)
		b.WriteString(`</th><td class="num" data-label="Value">`)
		esc(&b, r.Text)
		b.WriteString(`</td><td class="num" data-label="Lowest">`)
		esc(&b, r.Min)
		b.WriteString(`</td><td class="num" data-label="Highest">`)
		esc(&b, r.Max)
		b.WriteString(`</td><td class="num" data-label="Readings">`)
		esc(&b, r.Count)
		b.WriteString(`</td></tr>`)
	}
	return template.HTML(b.String()) //nolint:gosec // every cell escaped by esc (see there)
}
