package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/devices"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// patientDevicesData is a patient's readings as the care team sees them.
type patientDevicesData struct {
	PatientID string
	// Series are the week of each type the patient has readings of.
	Series     []*devices.Series
	Thresholds []thresholdRow
	Alerts     []devices.Alert
	Form       *web.Form
}

// thresholdRow is one type's four bounds on the form.
type thresholdRow struct {
	Type   devices.Type
	Fields []thresholdField
}

// thresholdField is one bound: its form name, label, value and error.
type thresholdField struct {
	Name, Label, Value, Error string
}

// boundNames are the threshold form's field suffixes, and their labels.
var (
	boundNames  = [4]string{"low", "high", "alert_low", "alert_high"}
	boundLabels = [4]string{"Range from", "Range to", "Alert below", "Alert above"}
)

// thresholdRows are the form's rows: what was typed when the form comes
// back with errors, else the patient's thresholds.
func thresholdRows(ts devices.Thresholds, f *web.Form) []thresholdRow {
	var out []thresholdRow
	for _, t := range devices.Types {
		th := ts.For(t)
		b := [4]float64{th.Low, th.High, th.AlertLow, th.AlertHigh}
		row := thresholdRow{Type: t}
		for i, n := range boundNames {
			name := string(t) + "." + n
			fl := thresholdField{Name: name, Label: boundLabels[i], Error: f.Error(name)}
			switch {
			case f.Errors != nil || f.Message != "":
				fl.Value = f.Value(name)
			case b[i] != 0:
				fl.Value = devices.Format(t, b[i])
			}
			row.Fields = append(row.Fields, fl)
		}
		out = append(out, row)
	}
	return out
}

// showPatientDevices renders GET /staff/patients/{id}/devices: a clinician
// with a care relationship (or break-glass) sees the patient's week of
// each type, sets thresholds, and resolves alerts.
func (h *Handlers) showPatientDevices(w http.ResponseWriter, r *http.Request) error {
	return h.patientDevicesPage(w, r, http.StatusOK, &web.Form{})
}

func (h *Handlers) patientDevicesPage(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	ctx, tid, pid := r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id")
	sum, err := h.devices.Summary(ctx, tid, pid)
	if err != nil {
		return err
	}
	d := patientDevicesData{PatientID: pid, Form: f}
	for _, ts := range sum {
		s, err := h.devices.Series(ctx, tid, pid, ts.Type, devices.Week)
		if err != nil {
			return err
		}
		d.Series = append(d.Series, s)
	}
	ts, err := h.devices.Thresholds(ctx, tid, pid)
	if err != nil {
		return err
	}
	d.Thresholds = thresholdRows(ts, f)
	if d.Alerts, err = h.devices.PatientAlerts(ctx, tid, pid); err != nil {
		return err
	}
	return h.render(w, r, h.devicePages.patient, status, "Device readings", d)
}
