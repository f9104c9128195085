package portal

import (
	"html"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

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
	// Flagged are the first of the period's alerting readings, newest
	// first (S.Flagged has them all).
	Flagged []devices.Reading
	// TrendJSON is the trend line's points for the chart (js/devices.js),
	// one attribute: {"at": [labels], "v": [values], "w": [diastolic]}.
	// Why not drawn from a table, as the other charts are: a quarter is
	// 180 averaged points, and writing them as a hidden table was a large
	// share of the page; the day table is the alternative screen readers
	// read for the longer periods. The day period still has its readings'
	// table (TrendRows).
	TrendJSON string
	// TrendRows and DailyRows are the tables' rows as HTML, written once
	// here (why not ranged over in the template: a quarter is 270 rows,
	// and html/template's escaper calls, one per cell through reflection,
	// were most of the page's cost once the readings came from summaries).
	TrendRows, DailyRows template.HTML
}

// maxFlaggedShown is how many of the period's alerting readings the page
// lists (newest first; the count says how many there were).
const maxFlaggedShown = 5

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
	d.TrendJSON, d.DailyRows = trendJSON(s), dailyRows(s)
	if s.Period == devices.Day {
		d.TrendRows = trendRows(s)
	}
	if n := len(s.Flagged); n > maxFlaggedShown {
		d.Flagged = s.Flagged[:maxFlaggedShown]
	} else {
		d.Flagged = s.Flagged
	}
	if len(s.Flagged) > 0 {
		d.Advice = h.devices.Advice(r.Context(), tenant.FromContext(r.Context()).ID)
	}
	return h.render(w, r, h.pages.readings, http.StatusOK, s.Type.Label(), d)
}

// esc appends a cell escaped for HTML text or a quoted attribute.
//
// Why by hand and safe: every cell passes through it (html.EscapeString
// escapes <, >, &, ' and "), and each lands in element text or in a
// double-quoted attribute, the two contexts that escaping covers; no cell
// goes into a URL, a script or a style. The cells are numbers, dates and
// fixed words, so the common case copies them as they are.
func esc(b *strings.Builder, s []byte) {
	for _, c := range s {
		if c == '<' || c == '>' || c == '&' || c == '\'' || c == '"' {
			b.WriteString(html.EscapeString(string(s)))
			return
		}
	}
	b.Write(s)
}

// cells is the scratch space of one table's cells.
type cells struct{ b []byte }

// num writes a number as the chart reads it (shortest form).
func (c *cells) num(v float64) []byte {
	c.b = strconv.AppendFloat(c.b[:0], v, 'f', -1, 64)
	return c.b
}

// text writes a value as people read it ("120/80" for blood pressure).
func (c *cells) text(t devices.Type, v, v2 float64) []byte {
	c.b = devices.AppendFormat(c.b[:0], t, v)
	if t == devices.BP {
		c.b = append(c.b, '/')
		c.b = devices.AppendFormat(c.b, t, v2)
	}
	return c.b
}

// fmt writes one value as people read it.
func (c *cells) fmt(t devices.Type, v float64) []byte {
	c.b = devices.AppendFormat(c.b[:0], t, v)
	return c.b
}

// time writes a time in a layout.
func (c *cells) time(t time.Time, layout string) []byte {
	c.b = t.AppendFormat(c.b[:0], layout)
	return c.b
}

// trendRows writes the trend table's rows (the markup the template wrote
// before): written here once, not ranged over in the template (a quarter
// is hundreds of cells, and the template's escaper calls through
// reflection, one per cell, were most of the page's cost).
func trendRows(s *devices.Series) template.HTML {
	label := "2 Jan 15:04"
	if s.Period == devices.Day {
		label = "15:04"
	}
	var c cells
	c.b = make([]byte, 0, 64)
	var b strings.Builder
	b.Grow(len(s.Trend)*200 + 64)
	for _, p := range s.Trend {
		b.WriteString("\n        <tr data-at=\"")
		esc(&b, c.time(p.At, label))
		b.WriteString(`" data-value="`)
		esc(&b, c.num(p.Value))
		b.WriteString(`" data-value2="`)
		esc(&b, c.num(p.Value2))
		b.WriteString(`"><th scope="row" data-label="Time">`)
		esc(&b, c.time(p.At, "2 Jan 15:04"))
		b.WriteString(`</th><td class="num" data-label="Value">`)
		esc(&b, c.text(s.Type, p.Value, p.Value2))
		b.WriteString(`</td><td data-label="Flag">`)
		esc(&b, append(c.b[:0], p.Flag.Label()...))
		b.WriteString(`</td></tr>`)
	}
	return template.HTML(b.String()) //nolint:gosec // every cell escaped by esc (see there)
}

// trendJSON writes the trend's points as JSON (see readingsData.TrendJSON).
// The labels are times in a fixed layout (digits, month names, a space and
// a colon), so they need no JSON escaping; the template escapes the whole
// for its attribute.
func trendJSON(s *devices.Series) string {
	label := "2 Jan 15:04"
	if s.Period == devices.Day {
		label = "15:04"
	}
	b := make([]byte, 0, len(s.Trend)*32+32)
	b = append(b, `{"at":[`...)
	for i, p := range s.Trend {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = p.At.AppendFormat(b, label)
		b = append(b, '"')
	}
	b = append(b, `],"v":[`...)
	for i, p := range s.Trend {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendFloat(b, p.Value, 'f', -1, 64)
	}
	if s.Type == devices.BP {
		b = append(b, `],"w":[`...)
		for i, p := range s.Trend {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendFloat(b, p.Value2, 'f', -1, 64)
		}
	}
	b = append(b, "]}"...)
	return string(b)
}

// dailyRows writes the daily table's rows.
func dailyRows(s *devices.Series) template.HTML {
	var c cells
	c.b = make([]byte, 0, 64)
	var b strings.Builder
	b.Grow(len(s.Daily)*260 + 64)
	for _, x := range s.Daily {
		b.WriteString("\n      <tr data-at=\"")
		esc(&b, append(c.b[:0], x.Day...))
		b.WriteString(`" data-value="`)
		esc(&b, c.num(x.Value))
		b.WriteString(`"><th scope="row" data-label="Day">`)
		esc(&b, append(c.b[:0], x.Day...))
		b.WriteString(`</th><td class="num" data-label="Value">`)
		esc(&b, c.text(s.Type, x.Value, x.Value2))
		b.WriteString(`</td><td class="num" data-label="Lowest">`)
		esc(&b, c.fmt(s.Type, x.Min))
		b.WriteString(`</td><td class="num" data-label="Highest">`)
		esc(&b, c.fmt(s.Type, x.Max))
		b.WriteString(`</td><td class="num" data-label="Readings">`)
		b.WriteString(strconv.Itoa(x.Count))
		b.WriteString(`</td></tr>`)
	}
	return template.HTML(b.String()) //nolint:gosec // every cell escaped by esc (see there)
}
