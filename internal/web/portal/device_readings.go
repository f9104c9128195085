package portal

import (
	"net/http"
	"strconv"

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
	// Trend and Daily are the tables' rows, formatted once here (why not
	// in the template: a quarter is 270 rows, and a method call per cell
	// through reflection was most of the page's rendering).
	Trend, Daily []readingRow
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
	d.Trend = make([]readingRow, 0, len(s.Trend))
	for _, p := range s.Trend {
		d.Trend = append(d.Trend, readingRow{At: p.At.Format(label), Value: f(p.Value), Value2: f(p.Value2),
			Head: p.At.Format("2 Jan 15:04"), Text: p.Text(s.Type), Flag: p.Flag.Label()})
	}
	d.Daily = make([]readingRow, 0, len(s.Daily))
	for _, x := range s.Daily {
		d.Daily = append(d.Daily, readingRow{At: x.Day, Value: f(x.Value), Head: x.Day, Text: x.Text(s.Type),
			Min: s.Fmt(x.Min), Max: s.Fmt(x.Max), Count: strconv.Itoa(x.Count)})
	}
	if len(s.Flagged) > 0 {
		d.Advice = h.devices.Advice(r.Context(), tenant.FromContext(r.Context()).ID)
	}
	return h.render(w, r, h.pages.readings, http.StatusOK, s.Type.Label(), d)
}
