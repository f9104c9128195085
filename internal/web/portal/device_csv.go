package portal

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/salvehealth/salve/internal/devices"
)

// downloadReadings answers GET /account/devices/readings/{type}/csv?period=:
// the period's readings as CSV (time in UTC, value(s), unit, flag), the
// download every chart offers.
func (h *Handlers) downloadReadings(w http.ResponseWriter, r *http.Request) error {
	s, _, err := h.seriesFor(r, true)
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/csv; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="`+string(s.Type)+"-"+string(s.Period)+`.csv"`)
	// Why no-store: the file is PHI; no cache on the way may keep it.
	hd.Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	head := []string{"measured_at", "value", "unit", "flag"}
	if s.Type == devices.BP {
		head = []string{"measured_at", "systolic", "diastolic", "unit", "flag"}
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, rd := range s.Readings {
		row := []string{rd.At.Format(time.RFC3339), strconv.FormatFloat(rd.Value, 'f', -1, 64)}
		if s.Type == devices.BP {
			row = append(row, strconv.FormatFloat(rd.Value2, 'f', -1, 64))
		}
		row = append(row, s.Type.Unit(), string(rd.Flag))
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
